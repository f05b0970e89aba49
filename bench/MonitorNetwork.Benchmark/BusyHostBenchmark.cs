// A day of a busy host (20,000 flows an hour, about 200 million packets a day) stored twice: with packets (what
// --keywords flow,packet,health gives: flow records and every packet) and with flow records only (the default). Prints
// store bytes and collector CPU seconds per hour for each, and whether the minute-level answers (timeline at 1-minute
// buckets, top-processes, top-remotes) are identical. The flow records come from FlowRecordBuilder, the driver's
// interval rule; traffic is generated a minute at a time and an hour is stored per collector run.
using System.Diagnostics;
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Benchmark;

internal static class BusyHostBenchmark
{
    private const long Minute = 60_000_000;

    private sealed class Flow(ulong id, FlowIdentity identity, long startUs, long endUs, double packetsPerUs)
    {
        public readonly ulong Id = id;
        public readonly FlowIdentity Identity = identity;
        public readonly long StartUs = startUs, EndUs = endUs;
        public readonly double PacketsPerUs = packetsPerUs;
        public ulong PacketsIn, BytesIn, PacketsOut, BytesOut;
    }

    public static async Task<int> RunAsync(string dir, int hours, int flowsPerHour, long packetsPerDay)
    {
        var random = new Random(2026);
        var startUs = MonitorNetwork.Collector.Events.UnixMicros.From(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        var packetsDb = Path.Combine(dir, "packets.db");
        var flowsDb = Path.Combine(dir, "flows.db");
        var withPackets = new FlowRecordBuilder(FlowRecordBuilder.DefaultInterval, keepPackets: true);
        var flowsOnly = new FlowRecordBuilder(FlowRecordBuilder.DefaultInterval, keepPackets: false);
        var meanPacketsPerFlow = packetsPerDay / 24.0 / flowsPerHour;
        var mu = Math.Log(meanPacketsPerFlow) - 1.5 * 1.5 / 2; // log-normal packet counts, sigma 1.5, with that mean
        var active = new List<Flow>();
        ulong nextId = 0x8000_0000_0000_0000UL;
        var local = NetAddress.FromIPAddress(IPAddress.Parse("10.20.0.5"));
        double cpuPackets = 0, cpuFlows = 0;
        long packetsTotal = 0, eventsPackets = 0, eventsFlows = 0;

        for (var hour = 0; hour < hours; hour++)
        {
            var minuteEvents = new List<MonitorEvent>();
            var packetsHour = new List<MonitorEvent>();
            var flowsHour = new List<MonitorEvent>();
            for (var m = 0; m < 60; m++)
            {
                var t0 = startUs + (hour * 60L + m) * Minute;
                minuteEvents.Clear();
                for (var k = 0; k < flowsPerHour / 60; k++)
                {
                    var s = t0 + random.NextInt64(Minute);
                    var roll = random.NextDouble();
                    var life = roll < 0.80 ? random.NextInt64(1_000_000, 60_000_000) : roll < 0.98 ? random.NextInt64(Minute, 20 * Minute) : random.NextInt64(20 * Minute, 240 * Minute);
                    var packets = Math.Max(1, Math.Round(Math.Exp(mu + 1.5 * NormalSample(random))));
                    var inbound = random.Next(10) == 0;
                    var identity = new FlowIdentity((uint)(1000 + random.Next(200)), inbound ? FlowDirection.Inbound : FlowDirection.Outbound, (byte)(random.Next(8) == 0 ? 17 : 6),
                        local, (ushort)(inbound ? 443 : 49152 + random.Next(16000)), NetAddress.FromIPAddress(new IPAddress(0x0A000000u + (uint)random.Next(5000))),
                        (ushort)(inbound ? 49152 + random.Next(16000) : 443));
                    var flow = new Flow(nextId++, identity, s, s + life, packets / life);
                    active.Add(flow);
                    minuteEvents.Add(new FlowEstablishedEvent(s, flow.Id, identity.ProcessId, identity.Direction, identity.Protocol, identity.LocalAddress,
                        identity.LocalPort, identity.RemoteAddress, identity.RemotePort, $@"C:\Program Files\App{identity.ProcessId % 40}\app.exe"));
                }
                var t1 = t0 + Minute;
                foreach (var f in active)
                {
                    var from = Math.Max(f.StartUs, t0);
                    var to = Math.Min(f.EndUs, t1);
                    if (to <= from) continue;
                    var expected = f.PacketsPerUs * (to - from);
                    var n = (long)expected + (random.NextDouble() < expected - Math.Floor(expected) ? 1 : 0);
                    for (var i = 0; i < n; i++)
                    {
                        var ts = from + random.NextInt64(to - from);
                        var direction = random.Next(3) == 0 ? FlowDirection.Outbound : FlowDirection.Inbound;
                        var bytes = (uint)random.Next(0, 1461);
                        if (direction == FlowDirection.Inbound) { f.PacketsIn++; f.BytesIn += bytes; } else { f.PacketsOut++; f.BytesOut += bytes; }
                        var id = f.Identity;
                        minuteEvents.Add(new PacketEvent(ts, f.Id, id.ProcessId, direction, id.Protocol, id.LocalAddress, id.LocalPort, id.RemoteAddress, id.RemotePort, bytes));
                    }
                    packetsTotal += n;
                }
                foreach (var f in active.Where(f => f.EndUs < t1))
                    minuteEvents.Add(new FlowDeletedEvent(f.EndUs, f.Id, f.PacketsIn, f.BytesIn, f.PacketsOut, f.BytesOut) { Identity = f.Identity });
                active.RemoveAll(f => f.EndUs < t1);
                minuteEvents.Sort((a, b) => a.TimestampUs.CompareTo(b.TimestampUs));
                foreach (var e in minuteEvents)
                {
                    withPackets.Add(e, packetsHour);
                    flowsOnly.Add(e, flowsHour);
                }
            }
            eventsPackets += packetsHour.Count;
            eventsFlows += flowsHour.Count;
            cpuPackets += await IngestAsync(packetsDb, packetsHour);
            cpuFlows += await IngestAsync(flowsDb, flowsHour);
            Console.WriteLine($"busy hour {hour + 1}: {packetsHour.Count:N0} events with packets, {flowsHour.Count:N0} flow records only; CPU so far {cpuPackets:F1} s / {cpuFlows:F1} s");
        }

        long Bytes(string db) => new[] { db, db + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        var (bytesPackets, bytesFlows) = (Bytes(packetsDb), Bytes(flowsDb));
        Console.WriteLine($"busy host: {hours} h, {flowsPerHour:N0} flows/h, {packetsTotal:N0} packets ({packetsTotal * 24.0 / hours:N0} a day)");
        Console.WriteLine($"  with packets: {eventsPackets:N0} events, store {bytesPackets / (double)hours / 1048576:F1} MiB/h, collector CPU {cpuPackets / hours:F2} s/h");
        Console.WriteLine($"  flows only:   {eventsFlows:N0} events, store {bytesFlows / (double)hours / 1048576:F2} MiB/h, collector CPU {cpuFlows / hours:F2} s/h");
        Console.WriteLine($"  flows-only store is {bytesPackets / (double)bytesFlows:F1}x smaller (target >= 50x); CPU {cpuPackets / Math.Max(cpuFlows, 1e-9):F1}x less");

        var identical = true;
        // The last minute's flow records come at the start of the next one, which this day does not have: compare
        // the complete minutes (a collector that stops reports the open minute when it next runs).
        var until = "until=" + DateTimeOffset.FromUnixTimeMilliseconds((startUs + (hours * 60L - 1) * Minute) / 1000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (query, parameters) in new (string, string[])[]
                 { ("timeline", ["bucket=60", until]), ("top-processes", ["limit=50", until]), ("top-remotes", ["limit=50", until]), ("listeners", [until]) })
        {
            var q = QueryCatalog.Find(query)!;
            var bound = ParameterBinder.Bind(q, parameters, DateTimeOffset.UtcNow);
            var a = QueryExecutor.Run(packetsDb, q, bound).Rows.Select(r => string.Join("|", r)).ToList();
            var b = QueryExecutor.Run(flowsDb, q, bound).Rows.Select(r => string.Join("|", r)).ToList();
            var same = a.SequenceEqual(b);
            identical &= same;
            Console.WriteLine($"  {query} {string.Join(' ', parameters)}: {a.Count} rows, {(same ? "identical" : "DIFFERENT")}");
            if (!same)
            {
                foreach (var row in a.Except(b).Take(5)) Console.WriteLine($"    with packets only: {row}");
                foreach (var row in b.Except(a).Take(5)) Console.WriteLine($"    flows only:        {row}");
            }
        }
        return identical ? 0 : 1;
    }

    /// <summary>Stores one hour as one collector run; the collector's CPU seconds (generation happened before).</summary>
    private static async Task<double> IngestAsync(string db, List<MonitorEvent> events)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        await StoreBenchmark.IngestAsync(db, events);
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
    }

    private static double NormalSample(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
