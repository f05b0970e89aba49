// Writes recording/demo.nettrace: a real recording of the MonitorNetwork provider and the DNS client's stand-in (the
// test emitters through EventPipe, as `dotnet-trace collect` would record them) that shows a newcomer every part of
// the product: 35 minutes of a workstation's traffic with several programs, DNS names with CNAME chains, two
// listeners (SMB under System, a developer's web server), remotes first seen late (an updater at minute 28), and a
// chat connection that stays open the whole time and reports its counters once a minute.
//
// Time: each event is sent when its simulated time, divided by ClockDivisor, has passed, so the recording takes 21 s.
// The recording's header then gets the clock frequency divided by the same factor (Linux's 1 GHz becomes 10 MHz,
// Windows' QPC rate), so every reader of the file sees the 35 minutes: the times are the EventPipe clock's own, only
// its rate is restated. Contents are deterministic (a seeded Random); the times carry the host's scheduling jitter
// (a few milliseconds, so under a second of simulated time).
using System.Diagnostics;
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Emitter;

namespace MonitorNetwork.Benchmark;

internal static class DemoRecording
{
    /// <summary>Simulated time runs this many times faster than the recording.</summary>
    public const int ClockDivisor = 100;

    /// <summary>The simulated span.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(35);

    private sealed record Program(uint Pid, string Path);

    private static readonly Program s_firefox = new(4120, @"C:\Program Files\Mozilla Firefox\firefox.exe");
    private static readonly Program s_chat = new(5288, @"C:\Users\demo\AppData\Local\Programs\chat\chat.exe");
    private static readonly Program s_svchost = new(1804, @"C:\Windows\System32\svchost.exe");
    private static readonly Program s_onedrive = new(9012, @"C:\Users\demo\AppData\Local\Microsoft\OneDrive\OneDrive.exe");
    private static readonly Program s_updater = new(7344, @"C:\Program Files\Updater\updater.exe");
    private static readonly Program s_devServer = new(6120, @"C:\Users\demo\source\shop\node.exe");
    private static readonly Program s_system = new(4, "");

    private static readonly NetAddress s_local4 = Address("192.168.1.23"), s_local6 = Address("2001:db8:1::23");
    private static readonly NetAddress s_resolver = Address("192.0.2.53");

    /// <summary>One thing the demo sends, at a simulated time since the start.</summary>
    public sealed record Step(TimeSpan At, Action Send, string What);

    public static async Task<int> WriteAsync(string path)
    {
        var steps = Build();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var clock = Stopwatch.StartNew();
        await NettraceRecorder.RecordAsync(path, () =>
        {
            foreach (var step in steps)
            {
                var due = step.At / ClockDivisor;
                while (clock.Elapsed < due)
                {
                    var left = due - clock.Elapsed;
                    if (left > TimeSpan.FromMilliseconds(2)) Thread.Sleep(left - TimeSpan.FromMilliseconds(1));
                    else Thread.SpinWait(100);
                }
                step.Send();
            }
        }).ConfigureAwait(false);
        SlowTheClock(path);
        Console.WriteLine($"{path}: {steps.Count} events over {Span.TotalMinutes:F0} simulated minutes (recorded in {clock.Elapsed.TotalSeconds:F0} s), {new FileInfo(path).Length:N0} bytes");
        return 0;
    }

    /// <summary>Divides the recorded clock frequency by <see cref="ClockDivisor"/>, the one field that sets the time scale.</summary>
    private static void SlowTheClock(string path)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        var head = new byte[NettraceHeader.HeadBytes];
        file.ReadExactly(head);
        var at = NettraceHeader.FrequencyOffset(head) ?? throw new InvalidDataException($"{path}: no Trace object where EventPipe writes it");
        var frequency = BitConverter.ToInt64(head, at);
        var slowed = frequency / ClockDivisor;
        if (!NettraceHeader.Plausible(slowed)) throw new InvalidDataException($"{path}: {frequency} Hz divided by {ClockDivisor} is no clock's rate");
        file.Position = at;
        file.Write(BitConverter.GetBytes(slowed));
    }

    /// <summary>Every event of the demo, in time order.</summary>
    public static List<Step> Build()
    {
        var random = new Random(2026);
        var steps = new List<Step>();
        ulong nextFlow = 0x1000;
        ushort nextPort = 50_000;

        steps.Add(new(TimeSpan.Zero, () => TestEmitter.Log.DriverStarted(0x0002_0000, 6), "DriverStarted"));

        // A name looked up: the DNS client's answer (with its CNAME chain), and svchost's UDP exchange with the resolver.
        void Resolve(TimeSpan at, string name, string[] cnames, params string[] addresses)
        {
            var results = string.Concat(cnames.Select(c => $"type:  5 {c};")) + string.Concat(addresses.Select(a => $"{a};"));
            steps.Add(new(at, () => DnsClientEmitter.Log.QueryCompleted(name, addresses[0].Contains(':') ? 28u : 1u, 0, 0, results), "DNS " + name));
            Flow(at - TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(35), s_svchost, FlowDirection.Outbound, 17, s_resolver, 53, packets: 2, bytesIn: 90 + 30 * cnames.Length, bytesOut: 40);
        }

        // A flow: FlowEstablished, FlowStats at each minute it stays open (its counters so far), FlowDeleted with its totals.
        void Flow(TimeSpan start, TimeSpan length, Program program, FlowDirection direction, byte protocol, NetAddress remote, ushort remotePort,
            int packets, long bytesIn, long bytesOut, ushort? localPort = null)
        {
            var id = nextFlow++;
            var local = remote.ToString().Contains(':', StringComparison.Ordinal) ? s_local6 : s_local4;
            var port = localPort ?? nextPort++;
            var identity = new FlowIdentity(program.Pid, direction, protocol, local, port, remote, remotePort);
            steps.Add(new(start, () => TestEmitter.Log.Send(new FlowEstablishedEvent(0, id, program.Pid, direction, protocol, local, port, remote, remotePort, program.Path)), "FlowEstablished"));
            (ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut) SoFar(double share) =>
                ((ulong)(packets * 2 / 3 * share), (ulong)(bytesIn * share), (ulong)((packets - packets * 2 / 3) * share), (ulong)(bytesOut * share));
            for (var minute = TimeSpan.FromMinutes(1); minute < length; minute += TimeSpan.FromMinutes(1))
            {
                var c = SoFar(minute / length);
                steps.Add(new(start + minute, () => TestEmitter.Log.Send(new FlowStatsEvent(0, id, identity, c.PacketsIn, c.BytesIn, c.PacketsOut, c.BytesOut)), "FlowStats"));
            }
            var total = SoFar(1);
            steps.Add(new(start + length, () => TestEmitter.Log.Send(new FlowDeletedEvent(0, id, total.PacketsIn, total.BytesIn, total.PacketsOut, total.BytesOut) { Identity = identity }), "FlowDeleted"));
        }

        TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

        // Chat: one connection open from the first seconds to the last, a trickle every minute.
        Resolve(Seconds(4), "chat.example.com", [], "198.51.100.7");
        Flow(Seconds(5), Span - Seconds(15), s_chat, FlowDirection.Outbound, 6, Address("198.51.100.7"), 443, packets: 2_100, bytesIn: 1_900_000, bytesOut: 420_000);

        // Browsing: a page every 75 s or so, each a lookup and a few connections, through CDNs with CNAME chains.
        (string Name, string[] Cnames, string Address)[] sites =
        [
            ("www.example.com", ["www.example.com.cdn.example.net"], "203.0.113.10"),
            ("news.example.org", [], "203.0.113.11"),
            ("video.example.com", ["video.example.com.edgekey.example.net", "e123.a.example-cdn.net"], "2001:db8:100::443"),
            ("docs.example.net", ["docs.example.net.global.example-cdn.net"], "203.0.113.12"),
        ];
        for (var t = Seconds(20); t < Span - Seconds(60); t += Seconds(60 + random.Next(0, 31)))
        {
            var site = sites[random.Next(sites.Length)];
            Resolve(t, site.Name, site.Cnames, site.Address);
            var connections = random.Next(2, 5);
            var video = site.Name.StartsWith("video", StringComparison.Ordinal);
            for (var k = 0; k < connections; k++)
                Flow(t + Seconds(0.1 + k * 0.2), Seconds(video ? random.Next(90, 200) : random.Next(5, 50)), s_firefox, FlowDirection.Outbound, 6, Address(site.Address), 443,
                    packets: video ? random.Next(3_000, 6_000) : random.Next(40, 400), bytesIn: video ? random.Next(4_000_000, 9_000_000) : random.Next(50_000, 600_000),
                    bytesOut: random.Next(4_000, 40_000));
        }

        // OneDrive: uploads a folder in two bursts.
        Resolve(Seconds(590), "sync.example.com", ["sync.example.com.trafficmanager.example.net"], "203.0.113.80");
        foreach (var (start, minutes) in new[] { (600.0, 5), (1_260.0, 3) })
            Flow(Seconds(start), TimeSpan.FromMinutes(minutes), s_onedrive, FlowDirection.Outbound, 6, Address("203.0.113.80"), 443,
                packets: 9_000 * minutes, bytesIn: 300_000L * minutes, bytesOut: 12_000_000L * minutes);

        // System serves SMB on 445 to two machines of the LAN, now and then.
        for (var t = Seconds(120); t < Span; t += Seconds(300))
            foreach (var peer in new[] { "192.168.1.50", "192.168.1.51" })
                Flow(t + Seconds(peer.EndsWith('1') ? 7 : 0), Seconds(40), s_system, FlowDirection.Inbound, 6, Address(peer), (ushort)(49_000 + random.Next(1_000)),
                    packets: 600, bytesIn: 150_000, bytesOut: 2_400_000, localPort: 445);

        // A developer starts a web server at minute 25; a phone on the LAN opens it.
        for (var t = Seconds(1_500); t < Seconds(1_800); t += Seconds(45))
            Flow(t, Seconds(20), s_devServer, FlowDirection.Inbound, 6, Address("192.168.1.60"), (ushort)(52_000 + random.Next(1_000)),
                packets: 80, bytesIn: 9_000, bytesOut: 320_000, localPort: 8080);

        // New software at minute 28: an updater reaches two servers never seen before and downloads for three minutes.
        Resolve(Seconds(1_680), "updates.example.net", ["updates.example.net.download.example-cdn.net"], "198.51.100.200");
        Flow(Seconds(1_681), TimeSpan.FromMinutes(3), s_updater, FlowDirection.Outbound, 6, Address("198.51.100.200"), 443,
            packets: 30_000, bytesIn: 42_000_000, bytesOut: 600_000);
        Resolve(Seconds(1_900), "telemetry.example.org", [], "2001:db8:200::10");
        Flow(Seconds(1_901), Seconds(2), s_updater, FlowDirection.Outbound, 6, Address("2001:db8:200::10"), 443, packets: 12, bytesIn: 2_000, bytesOut: 18_000);

        var flows = nextFlow - 0x1000;
        steps.Add(new(Span, () => TestEmitter.Log.DriverStopping(flows, 0, 0, 0, 0, 0, 0, 0), "DriverStopping"));
        // Stable: steps at the same time keep the order they were added in (a flow's start before its records).
        return [.. steps.Select((s, i) => (s, i)).OrderBy(x => x.s.At).ThenBy(x => x.i).Select(x => x.s)];
    }

    private static NetAddress Address(string text) => NetAddress.FromIPAddress(IPAddress.Parse(text));
}
