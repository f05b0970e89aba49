// top --live's own code on Linux: a live EventPipe session (the test emitter standing in for the driver) feeds
// the collector's router and pipeline into the in-memory window, which must hold every packet's bytes by process
// and by remote. The ETW session in front of it is Windows-only; this is everything behind it.
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Top;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Tests;

[Collection(EventPipeCollection.Name)]
public class LiveTopTests
{
    [Fact]
    public async Task EventPipeSession_IntoTheWindow_EveryPacketsBytesByProcessAndRemote()
    {
        var events = TrafficScript.Build(flows: 40, packetsPerFlow: 10);
        var packets = events.OfType<PacketEvent>().ToList();
        var source = new EventPipeLiveSource(Environment.ProcessId, ProviderContract.Keywords.All);
        var session = new LiveTopSession(source);
        await source.Started.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var e in events) TestEmitter.Log.Send(e);
        // EventPipe hands a low-rate stream over in blocks (here, only when the session stops), unlike ETW's 1-3 s;
        // stopping drains every event through the router and pipeline into the window, which stays readable.
        await session.DisposeAsync();
        var snapshot = session.Window.Snapshot();

        Assert.Equal(new CounterSnapshot(events.Count, events.Count, 0, 0, 0, 0), session.Counters.Snapshot());
        Assert.Equal(packets.Count, snapshot.Processes.Sum(r => r.Packets));
        foreach (var byPid in packets.GroupBy(p => p.ProcessId))
        {
            var row = Assert.Single(snapshot.Processes, r => r.Pid == byPid.Key);
            Assert.Equal(byPid.Where(p => p.Direction == FlowDirection.Inbound).Sum(p => (long)p.Bytes), row.BytesIn);
            Assert.Equal(byPid.Where(p => p.Direction == FlowDirection.Outbound).Sum(p => (long)p.Bytes), row.BytesOut);
            var path = events.OfType<FlowEstablishedEvent>().Where(f => f.ProcessId == byPid.Key && f.ProcessPath.Length > 0).Select(f => f.ProcessPath).LastOrDefault();
            if (path is not null) Assert.Equal(path, row.Label);
        }
        foreach (var byRemote in packets.GroupBy(p => p.RemoteAddress.ToString()))
        {
            var row = Assert.Single(snapshot.Remotes, r => r.Label == byRemote.Key);
            Assert.Equal(byRemote.Sum(p => (long)p.Bytes), row.BytesIn + row.BytesOut);
        }
        Assert.True(session.Running.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task FailingSource_StopsCleanly_AndKeepsItsFailureForTheCaller()
    {
        var session = new LiveTopSession(new FailingSource());
        await session.DisposeAsync(); // must not throw: the failure belongs to Running
        Assert.True(session.Running.IsFaulted);
        var failure = Assert.IsType<Failures.MonitorNetworkException>(session.Running.Exception!.InnerException);
        Assert.Equal(Failures.FailureKind.SessionBusy, failure.Kind);
    }

    private sealed class FailingSource : ITraceSource
    {
        public string Kind => "etw-driver";
        public string? Detail => "MonitorNetwork-top";
        public bool IsLive => true;
        public double? Progress => null;
        public long EventsLost => 0;

        public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new Failures.MonitorNetworkException(Failures.FailureKind.SessionBusy, "session MonitorNetwork-top is already running");
        }
    }

    [Fact]
    public void Window_KeepsTheLastMinute_UpToTheNewestEvent()
    {
        var window = new LiveTopWindow();
        var local = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.1"));
        var remote = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.2"));
        PacketEvent At(long seconds, uint pid, uint bytes) => new(seconds * 1_000_000, 1, pid, FlowDirection.Outbound, 6, local, 1000, remote, 443, bytes);
        window.WriteBatch([At(1000, 7, 100), At(1030, 8, 50)], new CounterSnapshot(0, 0, 0, 0, 0, 0));
        Assert.Equal(2, window.Snapshot().Processes.Count);

        window.WriteBatch([At(1075, 8, 25)], new CounterSnapshot(0, 0, 0, 0, 0, 0)); // second 1000 is now older than a minute
        var snapshot = window.Snapshot();
        Assert.Equal(75, Assert.Single(snapshot.Processes).BytesOut);
        Assert.Equal(1030 * 1_000_000L, snapshot.WindowStartUs);
        Assert.Equal(1075 * 1_000_000L, snapshot.WindowEndUs);

        window.WriteBatch([At(1001, 9, 999)], new CounterSnapshot(0, 0, 0, 0, 0, 0)); // late, for a second already gone
        Assert.DoesNotContain(window.Snapshot().Processes, r => r.Pid == 9);
    }
}
