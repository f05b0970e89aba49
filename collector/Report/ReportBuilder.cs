// Reads a report's sections through the named queries, the same SQL a user can run with `monitornetwork query`,
// so the page and the command line never disagree.
using System.Globalization;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using Dapper;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Report;

/// <summary>Builds <see cref="ReportData"/> from a store.</summary>
public static class ReportBuilder
{
    /// <summary>Most points a timeline series holds: enough for a smooth day (4-minute buckets), few enough to stay small.</summary>
    public const int MaxTimelinePoints = 360;

    /// <summary>Programs the usage chart names apart; the rest are summed as "other programs".</summary>
    public const int UsagePrograms = 6;

    /// <summary>
    /// Reads the sections for the window [<paramref name="sinceUs"/>, <paramref name="untilUs"/>). When
    /// <paramref name="windowIsDefault"/> and the window holds nothing while the store holds events, the store's own
    /// span is reported instead, and <see cref="ReportData.WindowNote"/> says so.
    /// </summary>
    public static ReportData Build(string databasePath, long sinceUs, long untilUs, int top, DateTimeOffset now, bool windowIsDefault = false)
    {
        if (sinceUs > untilUs) throw new MonitorNetworkException(FailureKind.Usage, "--since is after --until");
        if (top < 1) throw new MonitorNetworkException(FailureKind.Usage, "--top must be at least 1");
        StoreSummary summary;
        using (var connection = StoreDatabase.OpenReadOnly(databasePath)) summary = StoreStats.Read(connection, databasePath);
        string? note = null;
        if (windowIsDefault && summary.FirstUs is { } first && summary.LastUs is { } last && (last < sinceUs || first >= untilUs))
        {
            note = $"the default window (the last 24 hours) holds no events; showing the store's span instead, {Events.UnixMicros.Format(first)} to {Events.UnixMicros.Format(last)}";
            sinceUs = first;
            untilUs = ParameterBinder.MaxTimeUs;
        }

        // The chart spans the part of the window that holds data, so "since 0" does not draw fifty empty years.
        var fromUs = Math.Max(sinceUs, summary.FirstUs ?? sinceUs);
        var toUs = Math.Min(untilUs, (summary.LastUs ?? fromUs) + 1);
        if (toUs < fromUs) toUs = fromUs;
        var bucket = BucketSeconds(toUs - fromUs);
        var timeline = Timeline(databasePath, sinceUs, untilUs, bucket, fromUs, toUs);

        QueryResult Run(string name, bool limited) =>
            QueryExecutor.Run(databasePath, QueryCatalog.Find(name)!, Parameters(name, sinceUs, untilUs, limited ? top : null, null, now));
        return new ReportData(Path.GetFullPath(databasePath), Events.UnixMicros.From(now), sinceUs, untilUs, summary.FirstUs, summary.LastUs, bucket, top, timeline,
            Run("top-processes", true), Run("top-remotes", true), Run("new-remotes", true), Run("listeners", true), Run("loss", false),
            Usage(databasePath, fromUs, toUs, Math.Max(60, bucket)), note);
    }

    /// <summary>
    /// Bytes per program per bucket over [fromUs, toUs): from program_hour when a bucket is an hour or more, else from
    /// program_minute (schema 0014).
    /// </summary>
    private static ProgramUsage Usage(string databasePath, long fromUs, long toUs, long bucket)
    {
        // Minutes for a window of hours (the chart's buckets are minutes), hours beyond: each read by its primary key.
        var (table, column, unit) = bucket >= 3600 ? ("program_hour", "hour", 3600L) : ("program_minute", "minute", 60L);
        var sql = $"""
            SELECT u.{column} * {unit} / @bucket AS Bucket, p.path AS Program, p.pid AS Pid, sum(u.bytes_in + u.bytes_out) AS Bytes
            FROM {table} u JOIN program p ON p.program_id = u.program_id
            WHERE u.{column} >= @from / {unit * 1_000_000} AND u.{column} < (@to + {unit * 1_000_000 - 1}) / {unit * 1_000_000}
            GROUP BY 1, 2, 3
            """;
        using var connection = StoreDatabase.OpenReadOnly(databasePath);
        var rows = connection.Query<(long Bucket, string Program, long Pid, long Bytes)>(sql, new { bucket, from = fromUs, to = toUs }).AsList();
        if (rows.Count == 0) return new ProgramUsage(bucket, [], []);
        var first = Math.Min(rows.Min(r => r.Bucket), fromUs / 1_000_000 / bucket);
        var last = Math.Max(rows.Max(r => r.Bucket), (toUs - 1) / 1_000_000 / bucket);
        var count = (int)(last - first + 1);
        var byProgram = rows.GroupBy(r => Output.ProgramLabel.Of(r.Program, r.Program.Length == 0 ? r.Pid : null))
            .Select(g => (Name: g.Key, Total: g.Sum(r => r.Bytes), Rows: g.ToList()))
            .OrderByDescending(p => p.Total).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        long[] Series(IEnumerable<(long Bucket, string Program, long Pid, long Bytes)> of)
        {
            var values = new long[count];
            foreach (var r in of) values[r.Bucket - first] += r.Bytes;
            return values;
        }
        var series = byProgram.Take(UsagePrograms).Select(p => new ProgramSeries(p.Name, Series(p.Rows))).ToList();
        if (byProgram.Count > UsagePrograms) series.Add(new ProgramSeries("other programs", Series(byProgram.Skip(UsagePrograms).SelectMany(p => p.Rows))));
        return new ProgramUsage(bucket, [.. Enumerable.Range(0, count).Select(i => (first + i) * bucket * 1_000_000)], series);
    }

    /// <summary>
    /// A bucket width that keeps a span within <see cref="MaxTimelinePoints"/>: whole minutes (the rollup's grain) in
    /// general; seconds for a span of ten minutes or less, where reading the packets themselves stays cheap.
    /// </summary>
    public static long BucketSeconds(long spanUs)
    {
        if (spanUs <= 600_000_000)
            foreach (var seconds in new long[] { 1, 2, 5, 10, 15, 30 })
                if (spanUs / (seconds * 1_000_000) < MaxTimelinePoints) return seconds;
        var minutes = (long)Math.Ceiling(spanUs / 60e6 / MaxTimelinePoints);
        return Math.Max(1, minutes) * 60;
    }

    private static List<TimelinePoint> Timeline(string databasePath, long sinceUs, long untilUs, long bucket, long fromUs, long toUs)
    {
        var rows = QueryExecutor.Run(databasePath, QueryCatalog.Find("timeline")!, Parameters("timeline", sinceUs, untilUs, null, bucket, DateTimeOffset.UtcNow));
        var byStart = new Dictionary<long, TimelinePoint>();
        foreach (var row in rows.Rows)
        {
            var start = DateTimeOffset.Parse((string)row[0]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var us = Events.UnixMicros.From(start);
            byStart[us] = new TimelinePoint(us, AsLong(row[1]), AsLong(row[2]), AsLong(row[3]));
        }
        if (byStart.Count == 0) return [];
        // Every bucket from the first to the last, zeros included: a line drawn straight across a silent hour would lie.
        var bucketUs = bucket * 1_000_000;
        var first = Math.Min(byStart.Keys.Min(), fromUs / bucketUs * bucketUs);
        var last = Math.Max(byStart.Keys.Max(), (toUs - 1) / bucketUs * bucketUs);
        var points = new List<TimelinePoint>();
        for (var t = first; t <= last; t += bucketUs) points.Add(byStart.GetValueOrDefault(t) ?? new TimelinePoint(t, 0, 0, 0));
        return points;
    }

    private static Dictionary<string, object> Parameters(string name, long sinceUs, long untilUs, int? limit, long? bucket, DateTimeOffset now)
    {
        var query = QueryCatalog.Find(name)!;
        var given = new List<string>();
        var bound = ParameterBinder.Bind(query, given, now);
        bound["since"] = sinceUs;
        bound["until"] = untilUs;
        if (limit is { } l && bound.ContainsKey("limit")) bound["limit"] = (long)l;
        if (bucket is { } b) bound["bucket"] = b;
        return bound;
    }

    private static long AsLong(object? value) => value is null ? 0 : System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
