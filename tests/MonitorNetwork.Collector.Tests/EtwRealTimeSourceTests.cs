// Windows only: the real ETW real-time session. On Windows an EventSource also writes to ETW under the same
// name-hash GUID, so the test emitter stands in for the driver there too. Skips itself elsewhere and when the
// process is not elevated (ETW sessions need administrator rights).
using Microsoft.Diagnostics.Tracing.Session;
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Running;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

[Collection(EventPipeCollection.Name)]
public class EtwRealTimeSourceTests
{
    [Fact]
    public async Task RealTimeSession_EmitterEvents_StoredExactly()
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Skip("ETW real-time sessions exist only on Windows");
            return;
        }
        if (TraceEventSession.IsElevated() != true)
        {
            Assert.Skip("ETW real-time sessions need an elevated process");
            return;
        }
        using var dir = new TempDirectory();
        var db = dir.File("etw.db");
        var events = TrafficScript.Build(flows: 50, packetsPerFlow: 10);
        var source = new EtwRealTimeSource(new EtwSessionOptions("MonitorNetwork-Test-" + Environment.ProcessId, 64), EtwProvider.Driver(ProviderContract.Keywords.All));
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)), source, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the session is enabled asynchronously
        foreach (var e in events) TestEmitter.Log.Send(e);
        await Task.Delay(TimeSpan.FromSeconds(4)); // real-time delivery lags 1-3 s
        stop.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.Counters.Lost);
        StoreAssert.MatchesSent(db, events, 0, long.MaxValue);
    }
}
