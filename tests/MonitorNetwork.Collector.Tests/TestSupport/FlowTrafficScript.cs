// Timestamped traffic for the flow-record golden test: flows that start and end at random times over half an hour,
// long ones that go quiet for minutes and come back, short ones inside one minute, both directions, IPv4 and IPv6,
// and flows still open at the end. No packets without a flow (the driver reports those only as counters), and no flow
// that began before collection: its counters hold bytes no packet stream has (FlowRecordTests covers those).
using System.Net;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class FlowTrafficScript
{
    public const long T0 = 1_767_225_630_000_000; // 2026-01-01T00:00:30Z: half-way into a minute

    /// <summary>Established, packets and deletions in time order.</summary>
    public static List<MonitorEvent> Build(int flows, int seed)
    {
        var random = new Random(seed);
        var timeline = new List<MonitorEvent>();
        for (var i = 0; i < flows; i++)
        {
            var flowId = 0x8000_0000_0000_0000UL + (ulong)i;
            var v6 = i % 3 == 1;
            var local = NetAddress.FromIPAddress(IPAddress.Parse(v6 ? "2001:db8::5" : "192.168.1.5"));
            var remote = NetAddress.FromIPAddress(IPAddress.Parse(v6 ? $"2606:4700::{i % 5 + 1:x}" : $"203.0.113.{i % 7 + 1}"));
            var inbound = i % 6 == 0;
            var identity = new FlowIdentity((uint)(200 + i % 4), inbound ? FlowDirection.Inbound : FlowDirection.Outbound, (byte)(i % 5 == 0 ? 17 : 6),
                local, (ushort)(inbound ? 8443 : 49152 + i), remote, (ushort)(inbound ? 50000 + i : 443));
            var start = T0 + random.NextInt64(0, 20 * 60_000_000L);
            var life = i % 4 == 0 ? random.NextInt64(5_000_000, 50_000_000) : random.NextInt64(3 * 60_000_000L, 15 * 60_000_000L);
            var end = start + life;
            timeline.Add(new FlowEstablishedEvent(start, flowId, identity.ProcessId, identity.Direction, identity.Protocol, identity.LocalAddress,
                    identity.LocalPort, identity.RemoteAddress, identity.RemotePort, i % 2 == 0 ? @"C:\Apps\client.exe" : @"C:\Windows\System32\svchost.exe"));
            ulong pin = 0, bin = 0, pout = 0, bout = 0;
            var t = start;
            while (true)
            {
                // Bursts of packets, and now and then minutes of silence.
                t += random.Next(10) == 0 ? random.NextInt64(2 * 60_000_000L, 5 * 60_000_000L) : random.NextInt64(100_000, 20_000_000);
                if (t >= end) break;
                var dir = random.Next(3) == 0 ? FlowDirection.Outbound : FlowDirection.Inbound;
                var bytes = (uint)random.Next(0, 1500);
                if (dir == FlowDirection.Inbound) { pin++; bin += bytes; } else { pout++; bout += bytes; }
                timeline.Add(new PacketEvent(t, flowId, identity.ProcessId, dir, identity.Protocol, identity.LocalAddress, identity.LocalPort,
                    identity.RemoteAddress, identity.RemotePort, bytes));
            }
            if (i % 9 != 8) // some flows are still open when the stream ends
                timeline.Add(new FlowDeletedEvent(end, flowId, pin, bin, pout, bout) { Identity = identity });
        }
        return timeline.OrderBy(e => e.TimestampUs).ThenBy(e => e is FlowDeletedEvent ? 1 : 0).ToList();
    }
}
