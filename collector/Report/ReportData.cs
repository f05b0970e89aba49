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
/// <param name="Usage">Bytes per program per bucket, the busiest programs first.</param>
/// <param name="WindowNote">Why the window is not the one asked for (the default window held nothing), or null.</param>
public sealed record ReportData(
    string DatabasePath, long GeneratedUs, long SinceUs, long UntilUs, long? StoreFirstUs, long? StoreLastUs,
    long BucketSeconds, int Top,
    IReadOnlyList<TimelinePoint> Timeline,
    QueryResult TopProcesses, QueryResult TopRemotes, QueryResult NewRemotes, QueryResult Listeners, QueryResult Loss,
    ProgramUsage Usage, string? WindowNote = null);

/// <summary>The usage chart: bytes received plus sent per program per bucket.</summary>
/// <param name="BucketSeconds">Bucket width: a minute or more.</param>
/// <param name="Buckets">Each bucket's start, UTC microseconds, silent ones included.</param>
/// <param name="Programs">One series per program, the busiest first; the rest summed as "other programs".</param>
public sealed record ProgramUsage(long BucketSeconds, IReadOnlyList<long> Buckets, IReadOnlyList<ProgramSeries> Programs);

/// <summary>One program's bytes per bucket.</summary>
/// <param name="Program">Its path, "System", "pid N", or "other programs".</param>
/// <param name="Bytes">Bytes received plus sent, one per bucket.</param>
public sealed record ProgramSeries(string Program, IReadOnlyList<long> Bytes);

/// <summary>One timeline bucket.</summary>
/// <param name="StartUs">Bucket start, UTC microseconds.</param>
/// <param name="Packets">Packets in the bucket.</param>
/// <param name="BytesIn">Payload bytes received.</param>
/// <param name="BytesOut">Payload bytes sent.</param>
public sealed record TimelinePoint(long StartUs, long Packets, long BytesIn, long BytesOut);
