// A deterministic stream of contract events shaped like real traffic: flows over IPv4 and IPv6 with packets
// both ways and matching totals, FlowIds at and above 2^63, ports >= 32768, non-ASCII process paths, packets
// with no flow, a FlowDeleted whose flow was never seen, and health events.
using System.Net;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class TrafficScript
{
    public static readonly string[] Paths =
    [
        @"\device\harddiskvolume3\program files\zoë\naïve.exe",
        @"\device\harddiskvolume3\windows\system32\svchost.exe",
        @"C:\Users\Łukasz\AppData\Local\日本語\ブラウザ.exe",
        "",
    ];

    /// <summary>Who the script's one flow without FlowEstablished belongs to.</summary>
    public static readonly FlowIdentity OrphanIdentity = new(4321, FlowDirection.Outbound, 6,
        NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.77")), 49999, NetAddress.FromIPAddress(IPAddress.Parse("198.51.100.7")), 8443);

    /// <summary>Events in emission order; timestamps are 0 (the transport assigns them).</summary>
    public static List<MonitorEvent> Build(int flows, int packetsPerFlow, int seed = 42)
    {
        var random = new Random(seed);
        var events = new List<MonitorEvent>();
        events.Add(new HealthEvent(0, "DriverStarted", [new("DriverVersion", 0x0001_0000), new("CalloutsRegistered", 6)]));
        for (var i = 0; i < flows; i++)
        {
            var flowId = i % 3 == 0 ? 0x8000_0000_0000_0000UL + (ulong)i : 1000UL + (ulong)i;
            var v6 = i % 2 == 1;
            var local = v6 ? NetAddress.FromIPAddress(IPAddress.Parse($"2001:db8::{i + 1:x}")) : NetAddress.FromIPAddress(IPAddress.Parse($"192.168.1.{i % 250 + 1}"));
            var remote = v6 ? NetAddress.FromIPAddress(IPAddress.Parse($"2606:4700::{i % 7 + 1:x}")) : NetAddress.FromIPAddress(IPAddress.Parse($"10.0.{i % 5}.{i % 200 + 1}"));
            var pid = (uint)(1000 + i % 13);
            var direction = i % 4 == 0 ? FlowDirection.Inbound : FlowDirection.Outbound;
            var protocol = (byte)(i % 5 == 0 ? 17 : 6);
            var localPort = (ushort)(32768 + random.Next(0, 32767));
            var remotePort = (ushort)(i % 3 == 0 ? 65535 : 443);
            events.Add(new FlowEstablishedEvent(0, flowId, pid, direction, protocol, local, localPort, remote, remotePort, Paths[i % Paths.Length]));
            ulong pin = 0, bin = 0, pout = 0, bout = 0;
            for (var k = 0; k < packetsPerFlow; k++)
            {
                var dir = random.Next(2) == 0 ? FlowDirection.Inbound : FlowDirection.Outbound;
                var bytes = (uint)random.Next(0, 65536);
                if (dir == FlowDirection.Inbound) { pin++; bin += bytes; } else { pout++; bout += bytes; }
                events.Add(new PacketEvent(0, flowId, pid, dir, protocol, local, localPort, remote, remotePort, bytes));
            }
            events.Add(new FlowDeletedEvent(0, flowId, pin, bin, pout, bout)
            {
                Identity = new FlowIdentity(pid, direction, protocol, local, localPort, remote, remotePort),
            });
        }
        // Traffic the driver saw without a flow context: FlowId 0, ProcessId 0.
        var stray = NetAddress.FromIPAddress(IPAddress.Parse("203.0.113.9"));
        var self = NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.200"));
        for (var k = 0; k < 5; k++)
            events.Add(new PacketEvent(0, 0, 0, FlowDirection.Inbound, 17, self, 5353, stray, 5353, (uint)(100 + k)));
        // A flow that ended after the collector started but began before it: its FlowDeleted names it.
        events.Add(new FlowDeletedEvent(0, 0xFFFF_FFFF_FFFF_FFFEUL, 3, 300, 4, 400) { Identity = OrphanIdentity });
        events.Add(new HealthEvent(0, "DriverHealth", [new("FlowsTracked", (ulong)flows), new("FlowsActive", 3), new("ContextAllocFailures", 0), new("PacketsWithoutFlow", 2),
            new("AssociationFailures", 1), new("ClassifiesWithoutContext", 2), new("FlowsDeletedWithoutContext", 0), new("PacketsUnknownHeader", 4)]));
        events.Add(new HealthEvent(0, "UnloadTimeout", [new("Stage", 1), new("FlowsOutstanding", 2), new("CalloutsOutstanding", 0)]));
        events.Add(new HealthEvent(0, "DriverStopping", [new("FlowsTracked", (ulong)flows), new("FlowsActive", 0), new("ContextAllocFailures", 0), new("PacketsWithoutFlow", 5),
            new("AssociationFailures", 1), new("ClassifiesWithoutContext", 5), new("FlowsDeletedWithoutContext", 0), new("PacketsUnknownHeader", 7)]));
        return events;
    }
}
