// Store ingest through the path collect uses, against a plain Microsoft.Data.Sqlite prepared-insert loop of the
// same packet rows measured in the same run, so the ratio survives a noisy machine.
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Benchmark;

internal static class StoreBenchmark
{
    private static readonly long StartUs = MonitorNetwork.Collector.Events.UnixMicros.Now();

    public static async Task<RunResult> IngestAsync(string db, IEnumerable<MonitorEvent> events)
    {
        var settings = new RunSettings(db, new PipelineOptions { BlockWhenFull = true }, TimeSpan.FromSeconds(1));
        return await CollectionRun.ExecuteAsync(settings, new SyntheticSource(events), CancellationToken.None);
    }

    public static async Task RunAsync(string dir, long packets, int flows)
    {
        var events = SyntheticTraffic.Generate(packets, flows, StartUs).ToList();
        var packetCount = events.Count(e => e is PacketEvent);
        var result = await IngestAsync(Path.Combine(dir, "store.db"), events);
        var rate = packetCount / result.Elapsed.TotalSeconds;
        Console.WriteLine($"store ingest (collect path, rollups and indexes): {packetCount:N0} packets + {events.Count - packetCount:N0} flow events in {result.Elapsed.TotalSeconds:F2} s = {rate:N0} packet events/s (all events {events.Count / result.Elapsed.TotalSeconds:N0}/s), dropped {result.Counters.Dropped}");

        var baseline = Baseline(Path.Combine(dir, "baseline.db"), events.OfType<PacketEvent>().ToList());
        Console.WriteLine($"baseline (Microsoft.Data.Sqlite, one prepared INSERT reused, 10,000-row transactions, same packet rows): {baseline:N0} rows/s; ratio collect/baseline = {rate / baseline:F2}");

        var flowEvents = SyntheticTraffic.Generate(200_000, 200_000, StartUs).Where(e => e is not PacketEvent).ToList();
        var flowResult = await IngestAsync(Path.Combine(dir, "flows.db"), flowEvents);
        Console.WriteLine($"flow ingest: {flowEvents.Count:N0} FlowEstablished+FlowDeleted in {flowResult.Elapsed.TotalSeconds:F2} s = {flowEvents.Count / flowResult.Elapsed.TotalSeconds:N0} flow events/s");
    }

    /// <summary>The plain loop: the same (ts, stream, direction, bytes) rows into a migrated store.</summary>
    private static double Baseline(string db, List<PacketEvent> packets)
    {
        using var connection = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO packet(ts_us, stream_id, direction, bytes) VALUES ($t, $s, $d, $b)";
        var t = command.Parameters.Add("$t", SqliteType.Integer);
        var s = command.Parameters.Add("$s", SqliteType.Integer);
        var d = command.Parameters.Add("$d", SqliteType.Integer);
        var b = command.Parameters.Add("$b", SqliteType.Integer);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < packets.Count; i += 10_000)
        {
            using var tx = connection.BeginTransaction();
            command.Transaction = tx;
            foreach (var p in packets.Skip(i).Take(10_000))
            {
                t.Value = p.TimestampUs;
                s.Value = (long)(p.FlowId & 0xFFFF);
                d.Value = (byte)p.Direction;
                b.Value = p.Bytes;
                command.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return packets.Count / clock.Elapsed.TotalSeconds;
    }
}
