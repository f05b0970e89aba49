// top --live's own code on Linux: a live EventPipe session (the test emitter standing in for the driver) feeds
// the collector's router and pipeline into the in-memory window, which must hold every packet's bytes by process
// and by remote. The ETW session in front of it is Windows-only; this is everything behind it.
using MonitorNetwork.Collector.Decoding;
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
    public async Task EventPipeSession_IntoTheWindow_EveryPacketsBytesByProcessAndRemote_AndFlowRecords()
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
        // Every packet, and the flow that only its FlowDeleted named (its packets were never seen: its whole count
        // counts, as in the store).
        Assert.Equal(packets.Count + 7, snapshot.Processes.Sum(r => r.Packets));
        var orphan = Assert.Single(snapshot.Processes, r => r.Pid == TrafficScript.OrphanIdentity.ProcessId);
        Assert.Equal((300L, 400L, 7L), (orphan.BytesIn, orphan.BytesOut, orphan.Packets));
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

    [Fact]
    public void Window_CountsFlowRecords_AsTheStoreDoes_ButNeverAFlowsPacketsTwice()
    {
        // The default driver sends flow records, not packets: top --live showed nothing for them. Now each record adds
        // its increase over the previous one (FlowEstablished counts as zero); a flow first seen by a record adds its
        // whole count; a flow whose packets are counted adds nothing more from its records.
        var window = new LiveTopWindow();
        var local = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.1"));
        var remote = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.2"));
        var late = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.3"));
        const long s = 1_000_000;
        var seen = new FlowIdentity(20, FlowDirection.Outbound, 6, local, 1001, late, 443);
        var quiet = new CounterSnapshot(0, 0, 0, 0, 0, 0);
        window.WriteBatch([
            new FlowEstablishedEvent(1000 * s, 1, 10, FlowDirection.Outbound, 6, local, 1000, remote, 443, @"C:.exe"),
            new FlowStatsEvent(1010 * s, 1, new FlowIdentity(10, FlowDirection.Outbound, 6, local, 1000, remote, 443), 2, 2000, 1, 100),
            new FlowDeletedEvent(1020 * s, 1, 3, 2500, 1, 100),
            new FlowStatsEvent(1030 * s, 2, seen, 5, 5000, 0, 0),
            new FlowEstablishedEvent(1031 * s, 3, 30, FlowDirection.Outbound, 6, local, 1002, remote, 443, @"C:\c.exe"),
            new PacketEvent(1032 * s, 3, 30, FlowDirection.Inbound, 6, local, 1002, remote, 443, 700),
            new FlowStatsEvent(1040 * s, 3, new FlowIdentity(30, FlowDirection.Outbound, 6, local, 1002, remote, 443), 1, 700, 0, 0),
        ], quiet);
        var processes = window.Snapshot().Processes.OrderBy(r => r.Pid).Select(r => (r.Pid, r.BytesIn, r.BytesOut, r.Packets, r.Flows)).ToList();
        Assert.Equal([(10L, 2500L, 100L, 4L, 1L), (20L, 5000L, 0L, 5L, 1L), (30L, 700L, 0L, 1L, 1L)], processes);
        Assert.Equal(5000, window.Snapshot().Remotes.Single(r => r.Label == "10.0.0.3").BytesIn);
    }
}
