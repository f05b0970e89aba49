// `bench usage`: the usage query on a year of per-program hours. A busy workstation's year: every program of
// --programs active in every hour (the worst case; most programs are idle most hours), written straight into
// program_hour and program_day, the tables ProgramUsageRollup keeps; the query reads program_day. Their correctness is FirstFiveMinutesTests'; this measures the read.
using Dapper;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Benchmark;

internal static class UsageBenchmark
{
    public static int Run(string dir, int programs, int repeats)
    {
        var db = Path.Combine(dir, "usage.db");
        var firstHour = (DateTimeOffset.UtcNow.AddDays(-365).ToUnixTimeSeconds()) / 3600;
        using (var connection = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(5)))
        {
            using var tx = connection.BeginTransaction();
            connection.Execute("""
                WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < @programs)
                INSERT INTO program(program_id, path, pid) SELECT n, 'C:\Program Files\Vendor ' || n || '\program' || n || '.exe', 0 FROM p;
                WITH RECURSIVE h(hour) AS (SELECT @firstHour UNION ALL SELECT hour + 1 FROM h WHERE hour < @firstHour + 365 * 24 - 1)
                INSERT INTO program_hour(hour, program_id, packets_in, bytes_in, packets_out, bytes_out)
                SELECT hour, program_id, abs(random() % 1000), abs(random() % 10000000), abs(random() % 1000), abs(random() % 1000000)
                FROM h, program;
                INSERT INTO program_day SELECT hour / 24, program_id, sum(packets_in), sum(bytes_in), sum(packets_out), sum(bytes_out)
                FROM program_hour GROUP BY 1, 2;
                """, new { firstHour, programs }, tx);
            tx.Commit();
        }
        var rowCount = 365L * 24 * programs;
        foreach (var (label, args) in new (string, string[])[] { ("by day", ["since=365d", "by=day"]), ("by week", ["since=365d", "by=week"]), ("by month", ["since=365d", "by=month"]), ("one program, by day", ["since=365d", "program=program7.exe"]) })
        {
            var query = QueryCatalog.Find("usage")!;
            var (times, rows) = QueryBenchmark.Time(db, query, ParameterBinder.Bind(query, args, DateTimeOffset.UtcNow), repeats);
            Console.WriteLine($"usage {label,-20} over a year ({rowCount:N0} program-hours, {programs} programs): median {times[times.Count / 2]:F1} ms (min {times[0]:F1}, max {times[^1]:F1}; {rows} rows)");
        }
        return 0;
    }
}
