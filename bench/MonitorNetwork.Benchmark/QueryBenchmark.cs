// Builds a large store (default 10 million packets, 100 thousand flows) through the writer, with and without
// rollup maintenance to show its ingest cost, then times every named query at default parameters.
using System.Diagnostics;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Benchmark;

internal static class QueryBenchmark
{
    public static void Run(string dir, long packets, int flows, int repeats, string? existing, int dnsAnswersPerFlow = 0)
    {
        if (existing is not null)
        {
            TimeQueries(existing, repeats);
            return;
        }
        var startUs = MonitorNetwork.Collector.Events.UnixMicros.From(DateTime.UtcNow.AddDays(-1));
        var stepUs = Math.Max(1, 86_400_000_000L / (packets + 2L * flows)); // the store spans one day, as a day of collection would
        var withRollups = Ingest(Path.Combine(dir, "queries.db"), packets, flows, startUs, stepUs, rollups: true, dnsAnswersPerFlow).WallRate;
        var sample = Math.Min(packets, 4_000_000);
        var sampleFlows = (int)Math.Max(1, flows * sample / packets);
        // Alternate the two runs five times and take medians: one pair alone is within this machine's noise.
        var with = new List<double>();
        var without = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            without.Add(Ingest(Path.Combine(dir, $"rollups-off-{i}.db"), sample, sampleFlows, startUs, stepUs, rollups: false).CpuRate);
            with.Add(Ingest(Path.Combine(dir, $"rollups-on-{i}.db"), sample, sampleFlows, startUs, stepUs, rollups: true).CpuRate);
        }
        // CPU time, not wall time: this VM's wall clock includes other tenants' steal, which swamps a 10% effect.
        var sampleWith = with.Order().ElementAt(2);
        var sampleWithout = without.Order().ElementAt(2);
        Console.WriteLine($"query store: {packets:N0} packets over {flows:N0} flows, {(long)flows * dnsAnswersPerFlow:N0} DNS answers, written at {withRollups:N0} events/s");
        Console.WriteLine($"rollup cost on ingest ({sample:N0} packets, median of 5 alternating runs, per CPU second): {sampleWith:N0} events/s with rollups vs {sampleWithout:N0} without = {(1 - sampleWith / sampleWithout) * 100:F1}% slower");
        TimeQueries(Path.Combine(dir, "queries.db"), repeats);
    }

    private static void TimeQueries(string db, int repeats)
    {
        foreach (var query in QueryCatalog.All)
        {
            var parameters = ParameterBinder.Bind(query, query.Name is "new-remotes" or "dns" ? ["since=0"] : [], DateTimeOffset.UtcNow);
            var (times, rows) = Time(db, query, parameters, repeats);
            Console.WriteLine($"query {query.Name,-14} median {times[times.Count / 2],7:F1} ms  (min {times[0]:F1}, max {times[^1]:F1}; {rows} rows)");
        }
    }

    /// <summary>Runs <paramref name="query"/> <paramref name="repeats"/> times: the sorted times in ms, and the rows of the last run.</summary>
    public static (List<double> Times, int Rows) Time(string db, NamedQuery query, IReadOnlyDictionary<string, object> parameters, int repeats)
    {
        var times = new List<double>();
        var rows = 0;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            rows = QueryExecutor.Run(db, query, parameters).Rows.Count;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times, rows);
    }

    /// <summary>Writes the traffic in 10,000-event batches; returns events per wall second and per CPU second.</summary>
    private static (double WallRate, double CpuRate) Ingest(string db, long packets, int flows, long startUs, long stepUs, bool rollups, int dnsAnswersPerFlow = 0)
    {
        using var connection = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(connection, "benchmark", null, DateTimeOffset.UtcNow);
        using var writer = new SqliteEventWriter(connection, session) { MaintainRollups = rollups };
        var batch = new List<MonitorEvent>(10_000);
        long count = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var e in SyntheticTraffic.Generate(packets, flows, startUs, stepUs, dnsAnswersPerFlow))
        {
            batch.Add(e);
            if (batch.Count == batch.Capacity)
            {
                writer.WriteBatch(batch, default);
                count += batch.Count;
                batch.Clear();
            }
        }
        writer.WriteBatch(batch, default);
        count += batch.Count;
        return (count / clock.Elapsed.TotalSeconds, count / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }
}
