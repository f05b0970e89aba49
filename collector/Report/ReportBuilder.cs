// Reads a report's sections through the named queries, the same SQL a user can run with `monitornetwork query`,
// so the page and the command line never disagree.
using System.Globalization;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Report;

/// <summary>Builds <see cref="ReportData"/> from a store.</summary>
public static class ReportBuilder
{
    /// <summary>Most points a timeline series holds: enough for a smooth day (4-minute buckets), few enough to stay small.</summary>
    public const int MaxTimelinePoints = 360;

    /// <summary>Reads the sections for the window [<paramref name="sinceUs"/>, <paramref name="untilUs"/>).</summary>
    public static ReportData Build(string databasePath, long sinceUs, long untilUs, int top, DateTimeOffset now)
    {
        if (sinceUs > untilUs) throw new MonitorNetworkException(FailureKind.Usage, "--since is after --until");
        if (top < 1) throw new MonitorNetworkException(FailureKind.Usage, "--top must be at least 1");
        StoreSummary summary;
        using (var connection = StoreDatabase.OpenReadOnly(databasePath)) summary = StoreStats.Read(connection, databasePath);

        // The chart spans the part of the window that holds data, so "since 0" does not draw fifty empty years.
        var fromUs = Math.Max(sinceUs, summary.FirstUs ?? sinceUs);
        var toUs = Math.Min(untilUs, (summary.LastUs ?? fromUs) + 1);
        if (toUs < fromUs) toUs = fromUs;
        var bucket = BucketSeconds(toUs - fromUs);
        var timeline = Timeline(databasePath, sinceUs, untilUs, bucket, fromUs, toUs);

        QueryResult Run(string name, bool limited) =>
            QueryExecutor.Run(databasePath, QueryCatalog.Find(name)!, Parameters(name, sinceUs, untilUs, limited ? top : null, null, now));
        return new ReportData(Path.GetFullPath(databasePath), SessionStore.ToUnixUs(now), sinceUs, untilUs, summary.FirstUs, summary.LastUs, bucket, top, timeline,
            Run("top-processes", true), Run("top-remotes", true), Run("new-remotes", true), Run("listeners", true), Run("loss", false));
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
            var us = SessionStore.ToUnixUs(start);
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
