// The whole pipeline on Linux: the test emitter (our stand-in driver) → a live EventPipe session → TraceEvent's
// dynamic parser → decoder → bounded pipeline → SQLite, compared row by row with what was sent.
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

[Collection(EventPipeCollection.Name)]
public class LiveEventPipeEndToEndTests
{
    [Fact]
    public async Task LiveSession_ThousandsOfEvents_StoredExactlyWithZeroLoss()
    {
        using var dir = new TempDirectory();
        var path = dir.File("live.db");
        var events = TrafficScript.Build(flows: 300, packetsPerFlow: 20);
        var before = Events.UnixMicros.Now() - 1_000_000;
        var source = new EventPipeLiveSource(Environment.ProcessId, ProviderContract.Keywords.All);
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(path, new PipelineOptions { FlushInterval = TimeSpan.FromMilliseconds(100) }, TimeSpan.FromSeconds(1)), source, stop.Token);
        await source.Started.WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var e in events) TestEmitter.Log.Send(e);
        TestEmitter.Log.SomethingNew(7);
        stop.Cancel(); // stops the session; the stream drains to the last event before the run ends
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
        var after = Events.UnixMicros.Now() + 1_000_000;

        Assert.Equal(Events.SessionStatus.Completed, result.Status);
        Assert.Equal(new CounterSnapshot(events.Count, events.Count, 0, 0, 0, 1), result.Counters);
        StoreAssert.MatchesSent(path, events, before, after);

        using var db = StoreAssert.Open(path);
        var session = Dapper.SqlMapper.QuerySingle(db, "SELECT source, status, events_received, events_written, events_lost, ended_ts_us FROM collector_session");
        Assert.Equal("eventpipe", (string)session.source);
        Assert.Equal("completed", (string)session.status);
        Assert.Equal((long)events.Count, (long)session.events_written);
        Assert.NotNull(session.ended_ts_us);
    }

    [Fact]
    public async Task LiveSession_FlowKeywordOnly_ReceivesNoPackets()
    {
        using var dir = new TempDirectory();
        var path = dir.File("flows.db");
        var events = TrafficScript.Build(flows: 20, packetsPerFlow: 5);
        var source = new EventPipeLiveSource(Environment.ProcessId, ProviderContract.Keywords.Flow);
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(path, new PipelineOptions(), TimeSpan.FromSeconds(1)), source, stop.Token);
        await source.Started.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var e in events) TestEmitter.Log.Send(e);
        stop.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        var flowEvents = events.Count(e => e is Events.FlowEstablishedEvent or Events.FlowDeletedEvent);
        Assert.Equal(flowEvents, result.Counters.Written);
        using var db = StoreAssert.Open(path);
        Assert.Equal(0L, Dapper.SqlMapper.ExecuteScalar<long>(db, "SELECT count(*) FROM packet"));
    }
}
