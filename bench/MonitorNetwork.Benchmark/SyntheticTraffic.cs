// Deterministic traffic for the benchmark: flows with packets spread across them, one event per microsecond-ish,
// shaped like a busy host (a few hundred processes, many remotes, IPv4 and IPv6).
using System.Net;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Benchmark;

internal static class SyntheticTraffic
{
    /// <summary>
    /// Yields FlowEstablished for each flow, then packets round-robin over a window of open flows, ending flows as
    /// the window moves on: packets/flows Packet events per flow (rounded down) over <paramref name="flows"/> flows.
    /// </summary>
    public static IEnumerable<MonitorEvent> Generate(long packets, int flows, long startUs, long stepUs = 5, int dnsAnswersPerFlow = 0)
    {
        var random = new Random(1);
        var t = startUs;
        var packetsPerFlow = Math.Max(1, packets / flows);
        var window = new Queue<(FlowEstablishedEvent Flow, long Left, ulong Pin, ulong Bin, ulong Pout, ulong Bout)>();
        var local4 = NetAddress.FromIPAddress(IPAddress.Parse("10.20.30.40"));
        var local6 = NetAddress.FromIPAddress(IPAddress.Parse("2001:db8::40"));
        for (var i = 0; i < flows; i++)
        {
            var v6 = i % 4 == 3;
            var remote = v6
                ? NetAddress.FromIPAddress(new IPAddress([0x26, 0x06, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(i >> 8), (byte)i]))
                : NetAddress.FromIPAddress(new IPAddress([(byte)(20 + i % 200), (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
            var pid = (uint)(400 + i % 300);
            // DNS answers before the flow: most for this remote (other processes and names, some older than the
            // window), so the name lookup at write time and the queries' joins meet realistic fan-out.
            for (var k = 0; k < dnsAnswersPerFlow; k++)
                yield return new DnsAnswerEvent(t += stepUs, (uint)(400 + (i + k) % 300), $"host{(i + k) % 50_000}.example.com", 1, 0,
                    k % 3 == 0 ? [$"cdn{k}.example.net"] : [], [remote]);
            var flow = new FlowEstablishedEvent(t += stepUs, 0x1_0000_0000UL + (ulong)i, pid, i % 10 == 0 ? FlowDirection.Inbound : FlowDirection.Outbound,
                (byte)(i % 5 == 0 ? 17 : 6), v6 ? local6 : local4, (ushort)(49152 + i % 16000), remote, (ushort)(i % 3 == 0 ? 443 : 80 + i % 1000),
                $@"\device\harddiskvolume3\program files\app{pid % 300}\app{pid % 300}.exe");
            yield return flow;
            window.Enqueue((flow, packetsPerFlow, 0, 0, 0, 0));
            // Keep ~64 flows open; each round sends one packet on each, ending flows that are done.
            while (window.Count >= 64 || (i == flows - 1 && window.Count > 0))
            {
                var (f, l, pin, bin, pout, bout) = window.Dequeue();
                var inbound = random.Next(3) == 0;
                var bytes = (uint)random.Next(40, 1500);
                yield return new PacketEvent(t += stepUs, f.FlowId, f.ProcessId, inbound ? FlowDirection.Inbound : FlowDirection.Outbound, f.Protocol,
                    f.LocalAddress, f.LocalPort, f.RemoteAddress, f.RemotePort, bytes);
                if (inbound) { pin++; bin += bytes; } else { pout++; bout += bytes; }
                if (--l > 0) window.Enqueue((f, l, pin, bin, pout, bout));
                else yield return new FlowDeletedEvent(t += stepUs, f.FlowId, pin, bin, pout, bout);
            }
        }
    }
}
