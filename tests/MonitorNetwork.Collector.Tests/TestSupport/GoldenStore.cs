// A known event stream written through the real writer, for the named-query golden tests. FlowDeleted totals are
// deliberately larger than the packets the collector saw (as when the Packet keyword was off for a while), so a
// query that sums packets where it should use totals, or both, gives a visibly wrong answer.
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Tests.TestSupport;

public sealed class GoldenStore : IDisposable
{
    public const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private readonly TempDirectory _dir = new();

    public string DatabasePath => _dir.File("golden.db");
    public List<MonitorEvent> Events { get; } = new();
    public CounterSnapshot Counters { get; } = new(1234, 1200, 30, 4, 2, 1);

    public GoldenStore()
    {
        Build();
        using var c = StoreDatabase.OpenForWriting(DatabasePath, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "nettrace", "golden.nettrace", DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1000));
        using (var writer = new SqliteEventWriter(c, session))
            foreach (var chunk in Events.Chunk(97)) writer.WriteBatch(chunk, Counters);
        SessionStore.Finish(c, session, Collector.Events.SessionStatus.Completed, Counters, DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1000 + 3_600_000));
    }

    private void Build()
    {
        var random = new Random(7);
        var t = T0;
        long Next() => t += random.Next(1, 9) * 1_000_000L + random.Next(0, 1000); // distinct, increasing, minutes apart over the run
        string[] paths = [@"C:\Program Files\Browser\browser.exe", @"C:\Windows\System32\svchost.exe", @"C:\Tools\Zoë\agent.exe", ""];
        var open = new List<(FlowEstablishedEvent Flow, ulong Pin, ulong Bin, ulong Pout, ulong Bout)>();
        for (var i = 0; i < 60; i++)
        {
            var v6 = i % 3 == 2;
            var local = NetAddress.FromIPAddress(IPAddress.Parse(v6 ? "2001:db8::5" : "192.168.1.5"));
            var remote = NetAddress.FromIPAddress(IPAddress.Parse(v6 ? $"2606:4700::{i % 4 + 1:x}" : $"203.0.113.{i % 9 + 1}"));
            var inbound = i % 7 == 0;
            var flow = new FlowEstablishedEvent(Next(), 0x8000_0000_0000_0000UL + (ulong)i * 977, (uint)(100 + i % 5), inbound ? FlowDirection.Inbound : FlowDirection.Outbound,
                (byte)(i % 4 == 0 ? 17 : 6), local, (ushort)(inbound ? 8443 + i % 2 : 49152 + i), remote, (ushort)(inbound ? 50000 + i : 443), paths[i % 5 % paths.Length]);
            Events.Add(flow);
            open.Add((flow, 0, 0, 0, 0));
            // Interleave packets of the flows still open, and end some.
            for (var k = 0; k < 6; k++)
            {
                var j = random.Next(open.Count);
                var (f, pin, bin, pout, bout) = open[j];
                var dir = random.Next(2) == 0 ? FlowDirection.Inbound : FlowDirection.Outbound;
                var bytes = (uint)random.Next(1, 5000);
                Events.Add(new PacketEvent(Next(), f.FlowId, f.ProcessId, dir, f.Protocol, f.LocalAddress, f.LocalPort, f.RemoteAddress, f.RemotePort, bytes));
                open[j] = dir == FlowDirection.Inbound ? (f, pin + 1, bin + bytes, pout, bout) : (f, pin, bin, pout + 1, bout + bytes);
            }
            if (i % 4 == 3 && open.Count > 2)
            {
                var (f, pin, bin, pout, bout) = open[0];
                open.RemoveAt(0);
                Events.Add(new FlowDeletedEvent(Next(), f.FlowId, pin + 2, bin + 333, pout + 1, bout + 77));
            }
        }
        var stray = NetAddress.FromIPAddress(IPAddress.Parse("198.51.100.53"));
        var self = NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.5"));
        for (var k = 0; k < 9; k++)
            Events.Add(new PacketEvent(Next(), 0, (uint)(k % 2 == 0 ? 0 : 4), FlowDirection.Outbound, 17, self, 5353, stray, 53, (uint)(60 + k)));
        Events.Add(new FlowDeletedEvent(Next(), 0xFFFF_FFFF_0000_0001UL, 5, 5000, 6, 6000)); // began before collection
        // A packet of a flow the collector never saw established, that has not ended yet.
        Events.Add(new PacketEvent(Next(), 0x1234, 77, FlowDirection.Inbound, 6, self, 1234, stray, 443, 999));
    }

    public void Dispose() => _dir.Dispose();
}
