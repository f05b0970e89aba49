// Writes recording/demo.nettrace: a small, real recording of the MonitorNetwork provider (the test emitter through
// EventPipe, as `dotnet-trace collect` would record it) for a first run on any OS: a handful of programs, their
// flows over IPv4 and IPv6 to documentation-range addresses, packets both ways with matching totals, DNS-less.
// Deterministic: the same events every time (timestamps are the recording's own).
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Emitter;

namespace MonitorNetwork.Benchmark;

internal static class DemoRecording
{
    private sealed record Program(uint Pid, string Path, string[] Remotes, ushort Port, byte Protocol, int Flows, int PacketsPerFlow, int BytesIn, int BytesOut);

    private static readonly Program[] s_programs =
    [
        new(4120, @"C:\Program Files\Mozilla Firefox\firefox.exe", ["203.0.113.10", "203.0.113.11", "2001:db8:100::443"], 443, 6, 24, 60, 1400, 300),
        new(5288, @"C:\Users\demo\AppData\Local\Programs\chat\chat.exe", ["198.51.100.7"], 443, 6, 6, 80, 200, 180),
        new(1804, @"C:\Windows\System32\svchost.exe", ["192.0.2.53", "2001:db8:53::53"], 53, 17, 30, 2, 120, 40),
        new(7344, @"C:\Program Files\Updater\updater.exe", ["198.51.100.200"], 443, 6, 2, 400, 1400, 60),
        new(4, "", ["192.0.2.1"], 445, 6, 3, 10, 500, 500),
    ];

    public static async Task<int> WriteAsync(string path)
    {
        var events = Build();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await NettraceRecorder.RecordAsync(path, events).ConfigureAwait(false);
        Console.WriteLine($"{path}: {events.Count} events, {new FileInfo(path).Length:N0} bytes");
        return 0;
    }

    public static List<MonitorEvent> Build()
    {
        var random = new Random(2026);
        var events = new List<MonitorEvent> { new HealthEvent(0, "DriverStarted", [new("DriverVersion", 0x0001_0000), new("CalloutsRegistered", 6)]) };
        var local4 = NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.23"));
        var local6 = NetAddress.FromIPAddress(IPAddress.Parse("2001:db8:1::23"));
        ulong flowId = 0x0000_1000;
        ushort localPort = 50_000;
        foreach (var p in s_programs)
        {
            for (var f = 0; f < p.Flows; f++)
            {
                var remote = NetAddress.FromIPAddress(IPAddress.Parse(p.Remotes[f % p.Remotes.Length]));
                var local = remote.ToString().Contains(':', StringComparison.Ordinal) ? local6 : local4;
                var id = flowId++;
                var port = localPort++;
                events.Add(new FlowEstablishedEvent(0, id, p.Pid, FlowDirection.Outbound, p.Protocol, local, port, remote, p.Port, p.Path));
                ulong pin = 0, bin = 0, pout = 0, bout = 0;
                for (var k = 0; k < p.PacketsPerFlow; k++)
                {
                    var inbound = k % 3 != 0;
                    var bytes = (uint)random.Next(inbound ? p.BytesIn / 2 : p.BytesOut / 2, (inbound ? p.BytesIn : p.BytesOut) + 1);
                    if (inbound) { pin++; bin += bytes; } else { pout++; bout += bytes; }
                    events.Add(new PacketEvent(0, id, p.Pid, inbound ? FlowDirection.Inbound : FlowDirection.Outbound, p.Protocol, local, port, remote, p.Port, bytes));
                }
                events.Add(new FlowDeletedEvent(0, id, pin, bin, pout, bout));
            }
        }
        events.Add(new HealthEvent(0, "DriverStopping", [new("FlowsTracked", flowId - 0x1000), new("FlowsActive", 0), new("ContextAllocFailures", 0), new("PacketsWithoutFlow", 0),
            new("AssociationFailures", 0), new("ClassifiesWithoutContext", 0), new("FlowsDeletedWithoutContext", 0), new("PacketsUnknownHeader", 0)]));
        return events;
    }
}
