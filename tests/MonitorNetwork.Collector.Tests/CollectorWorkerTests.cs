// The hosted collector (console and Windows service share it) driven by a live EventPipe source in place of
// ETW: it starts, stores, stops on host stop or --duration after draining, and records its session.
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

[Collection(EventPipeCollection.Name)]
public class CollectorWorkerTests
{
    private static IHost BuildHost(string db, string duration = "") => CollectorHost.Build(
        new Dictionary<string, string?>
        {
            ["Collector:DatabasePath"] = db,
            ["Collector:Keywords"] = "all",
            ["Collector:Duration"] = duration,
            ["Collector:FlushIntervalMs"] = "100",
            ["Logging:LogLevel:Default"] = "Warning",
        },
        (options, keywords) => new EventPipeLiveSource(Environment.ProcessId, keywords));

    [Fact]
    public async Task HostStop_DrainsAndRecordsCompletedSession()
    {
        using var dir = new TempDirectory();
        var db = dir.File("svc.db");
        var events = TrafficScript.Build(flows: 50, packetsPerFlow: 10);
        using var host = BuildHost(db);
        await host.StartAsync();
        var worker = host.Services.GetRequiredService<CollectorWorker>();
        await worker.Started.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var e in events) TestEmitter.Log.Send(e);
        await host.StopAsync(); // what a service stop or Ctrl+C does

        Assert.Null(worker.Failure);
        Assert.Equal(events.Count, worker.Result!.Counters.Written);
        StoreAssert.MatchesSent(db, events, 0, long.MaxValue);
        using var c = StoreAssert.Open(db);
        Assert.Equal("completed", c.ExecuteScalar<string>("SELECT status FROM collector_session"));
    }

    [Fact]
    public async Task Duration_StopsTheHostByItself()
    {
        using var dir = new TempDirectory();
        using var host = BuildHost(dir.File("d.db"), duration: "1s");
        var worker = host.Services.GetRequiredService<CollectorWorker>();
        var run = host.RunAsync();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(run, finished);
        Assert.Null(worker.Failure);
        Assert.Equal(Events.SessionStatus.Completed, worker.Result!.Status);
    }

    [Fact]
    public async Task BadDatabase_IsReportedAsWorkerFailure()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("x.db"), "not sqlite at all, a text file that someone cares about.........");
        using var host = BuildHost(dir.File("x.db"));
        var worker = host.Services.GetRequiredService<CollectorWorker>();
        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var failure = worker.Failure;
        Assert.Equal(Failures.FailureKind.NotMonitorNetworkDatabase, Assert.IsType<Failures.MonitorNetworkException>(failure).Kind);
    }
}
