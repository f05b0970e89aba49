// Export figures for the README: a day of traffic (default 100,000 flows, 2 million packets) written through the
// real writer, then exported to Parquet; prints rows/s per run and Parquet bytes per flow against SQLite's.
using System.Diagnostics;
using Dapper;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Benchmark;

internal static class ExportBenchmark
{
    public static async Task<int> RunAsync(string dir, long packets, int flows)
    {
        var db = Path.Combine(dir, "export.db");
        var startUs = MonitorNetwork.Collector.Events.UnixMicros.From(DateTime.UtcNow.AddDays(-1));
        var stepUs = Math.Max(1, 86_400_000_000L / (packets + 2L * flows));
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(5)))
        {
            var session = SessionStore.Begin(c, "benchmark", "export", DateTimeOffset.UtcNow);
            using (var writer = new SqliteEventWriter(c, session))
                foreach (var batch in SyntheticTraffic.Generate(packets, flows, startUs, stepUs).Chunk(10_000)) writer.WriteBatch(batch, default);
            SessionStore.Finish(c, session, MonitorNetwork.Collector.Events.SessionStatus.Completed, default, DateTimeOffset.UtcNow);
            c.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        var fleet = Path.Combine(dir, "fleet");
        using var connection = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();
        var result = await new ParquetExporter(connection) { Trace = line => Console.WriteLine("  " + line) }.ExportAsync(new ExportOptions(fleet, "bench")).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var rows = result.RowsByTable.Values.Sum();
        Console.WriteLine($"export: {result.Summary()}");
        Console.WriteLine($"export rate: {rows / seconds:N0} rows/s ({rows:N0} rows in {seconds:F1} s)");

        // Bytes per flow: the flow rows, their indexes and the program paths they name, copied alone into a fresh
        // SQLite file, against the flows Parquet.
        var flowsOnly = Path.Combine(dir, "flows-only.db");
        connection.Execute($"ATTACH '{flowsOnly.Replace("'", "''", StringComparison.Ordinal)}' AS f");
        foreach (var sql in connection.Query<string>(
                     "SELECT sql FROM sqlite_schema WHERE tbl_name IN ('flow_row', 'image') AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC"))
            connection.Execute(sql.Replace("CREATE TABLE ", "CREATE TABLE f.", StringComparison.Ordinal)
                                  .Replace("CREATE INDEX ", "CREATE INDEX f.", StringComparison.Ordinal));
        connection.Execute("INSERT INTO f.flow_row SELECT * FROM main.flow_row; INSERT INTO f.image SELECT * FROM main.image; DETACH f");
        var sqliteFlowBytes = new FileInfo(flowsOnly).Length;
        var parquetFlowBytes = Directory.EnumerateFiles(Path.Combine(fleet, "table=flows"), "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var flowCount = result.RowsByTable["flows"];
        Console.WriteLine($"bytes per flow: SQLite {sqliteFlowBytes / (double)flowCount:F1} (flow rows, their indexes, their paths), Parquet {parquetFlowBytes / (double)flowCount:F1} (zstd)");
        var again = Stopwatch.StartNew();
        var second = await new ParquetExporter(connection).ExportAsync(new ExportOptions(fleet, "bench")).ConfigureAwait(false);
        Console.WriteLine($"incremental run with nothing new: {second.Files} files in {again.Elapsed.TotalMilliseconds:F0} ms");
        return 0;
    }
}
