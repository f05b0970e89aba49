// Counters every run reports and stores in its session row. Incremented from the source thread and the
// writer thread at once, so every update is atomic.
namespace MonitorNetwork.Collector.Pipeline;

/// <summary>Live counts of what a run received, wrote, dropped, lost and rejected.</summary>
public sealed class PipelineCounters
{
    private long _received, _written, _dropped, _lost, _buffersLost, _malformed, _unknown;

    /// <summary>Contract events handed to the pipeline.</summary>
    public long Received => Interlocked.Read(ref _received);
    /// <summary>Events committed to the store.</summary>
    public long Written => Interlocked.Read(ref _written);
    /// <summary>Events dropped by a full queue or a store failure.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Events the trace transport (ETW, EventPipe) reported lost.</summary>
    public long Lost => Interlocked.Read(ref _lost);
    /// <summary>Whole buffers the transport reported undelivered (ETW's RealTimeBuffersLost + LogBuffersLost): a
    /// loss of an unknown number of events, so never added to <see cref="Lost"/>.</summary>
    public long BuffersLost => Interlocked.Read(ref _buffersLost);
    /// <summary>Our provider's events with bad fields.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);
    /// <summary>Our provider's events with names the contract lacks.</summary>
    public long Unknown => Interlocked.Read(ref _unknown);

    internal void AddReceived() => Interlocked.Increment(ref _received);
    internal void AddWritten(long n) => Interlocked.Add(ref _written, n);
    internal void AddDropped(long n) => Interlocked.Add(ref _dropped, n);
    internal void AddMalformed() => Interlocked.Increment(ref _malformed);
    internal void AddUnknown() => Interlocked.Increment(ref _unknown);

    /// <summary>The most kinds of unknown event named apart; the rest are counted under <see cref="OtherKinds"/>.</summary>
    public const int MaxUnknownKinds = 32;

    /// <summary>What unknown events beyond <see cref="MaxUnknownKinds"/> kinds are counted as.</summary>
    public const string OtherKinds = "(other kinds)";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _unknownKinds = new(StringComparer.Ordinal);

    /// <summary>Counts an unknown event under its provider, name and id, so `stats` can say what it was.</summary>
    internal void AddUnknown(string provider, string eventName, int eventId)
    {
        AddUnknown();
        CountKind(_unknownKinds, $"{provider} {eventName} (id {eventId})");
    }

    /// <summary>One more of <paramref name="kind"/>; past <see cref="MaxUnknownKinds"/> kinds, a new one counts as <see cref="OtherKinds"/>.</summary>
    private static void CountKind(System.Collections.Concurrent.ConcurrentDictionary<string, long> kinds, string kind)
    {
        if (!kinds.ContainsKey(kind) && kinds.Count >= MaxUnknownKinds) kind = OtherKinds;
        kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    /// <summary>The unknown events counted so far, by kind ("provider name (id N)").</summary>
    public IReadOnlyDictionary<string, long> UnknownKinds => new Dictionary<string, long>(_unknownKinds, StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _otherProviders = new(StringComparer.Ordinal);

    /// <summary>Notes an event of a provider no decoder reads, so an import with none of ours can say what it held.</summary>
    internal void AddOtherProvider(string provider) => CountKind(_otherProviders, provider);

    /// <summary>Events of other providers seen so far, by provider.</summary>
    public IReadOnlyDictionary<string, long> OtherProviders => new Dictionary<string, long>(_otherProviders, StringComparer.Ordinal);

    /// <summary>Records the transport's running loss total; it only ever grows.</summary>
    public void ReportLost(long total) => RunningTotal.RaiseTo(ref _lost, total);

    /// <summary>Records the transport's running total of undelivered buffers; it only ever grows.</summary>
    public void ReportBuffersLost(long total) => RunningTotal.RaiseTo(ref _buffersLost, total);

    /// <summary>A consistent-enough copy for storing and printing.</summary>
    public CounterSnapshot Snapshot() => new(Received, Written, Dropped, Lost, Malformed, Unknown, BuffersLost);
}

/// <summary>Counter values at one moment.</summary>
public readonly record struct CounterSnapshot(long Received, long Written, long Dropped, long Lost, long Malformed, long Unknown, long BuffersLost = 0);
