// What a stop means depends on whether the source is live, never on whether it can report progress: an .etl
// import (which had no byte progress) stopped by Ctrl+C used to be recorded "completed" and exit 0.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Tests;

public class FileSourceStatusTests
{
    /// <summary>A source that delivers until stopped, with the liveness and progress a test gives it.</summary>
    private sealed class EndlessSource(bool live, double? progress) : ITraceSource
    {
        public string Kind => live ? "live-test" : "file-test";
        public string? Detail => null;
        public bool IsLive => live;
        public double? Progress => progress;
        public long EventsLost => 0;

        public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
        {
            foreach (var e in TrafficScript.Build(flows: 2, packetsPerFlow: 2)) router.Post(e);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    [Theory]
    [InlineData(false, null, "interrupted")] // an .etl import: no byte progress, still a file
    [InlineData(false, 0.5, "interrupted")]  // a .nettrace import
    [InlineData(true, null, "completed")]    // collect: a stop is its normal end
    public async Task Stop_StatusFollowsLiveness(bool live, double? progress, string expected)
    {
        using var dir = new TempDirectory();
        var db = dir.File("s.db");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var result = await CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)), new EndlessSource(live, progress), stop.Token);
        Assert.Equal(expected, result.Status.Text());
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        Assert.Equal(expected, c.ExecuteScalar<string>("SELECT status FROM collector_session"));
    }
}
