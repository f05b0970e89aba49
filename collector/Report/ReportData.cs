// What a report shows, read from the store once, so rendering is a pure function of it.
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Report;

/// <summary>The report's inputs and every section's rows.</summary>
/// <param name="DatabasePath">The store it was read from.</param>
/// <param name="GeneratedUs">When it was made (UTC microseconds).</param>
/// <param name="SinceUs">Window start (inclusive).</param>
/// <param name="UntilUs">Window end (exclusive); <see cref="ParameterBinder.MaxTimeUs"/> for open-ended.</param>
/// <param name="StoreFirstUs">The store's first event, if any.</param>
/// <param name="StoreLastUs">The store's last event, if any.</param>
/// <param name="BucketSeconds">Timeline bucket width.</param>
/// <param name="Top">Rows in each ranked section.</param>
/// <param name="Timeline">The timeline query's rows, zero-filled buckets included.</param>
/// <param name="TopProcesses">top-processes.</param>
/// <param name="TopRemotes">top-remotes.</param>
/// <param name="NewRemotes">new-remotes.</param>
/// <param name="Listeners">listeners.</param>
/// <param name="Loss">loss.</param>
public sealed record ReportData(
    string DatabasePath, long GeneratedUs, long SinceUs, long UntilUs, long? StoreFirstUs, long? StoreLastUs,
    long BucketSeconds, int Top,
    IReadOnlyList<TimelinePoint> Timeline,
    QueryResult TopProcesses, QueryResult TopRemotes, QueryResult NewRemotes, QueryResult Listeners, QueryResult Loss);

/// <summary>One timeline bucket.</summary>
/// <param name="StartUs">Bucket start, UTC microseconds.</param>
/// <param name="Packets">Packets in the bucket.</param>
/// <param name="BytesIn">Payload bytes received.</param>
/// <param name="BytesOut">Payload bytes sent.</param>
public sealed record TimelinePoint(long StartUs, long Packets, long BytesIn, long BytesOut);
