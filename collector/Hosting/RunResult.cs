// What one collect or import run did, for the summary line and for tests.
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Outcome of one run.</summary>
/// <param name="SessionId">The collector_session row.</param>
/// <param name="Status">completed, interrupted or failed.</param>
/// <param name="Counters">Final counters, as stored.</param>
/// <param name="Elapsed">Wall time from opening the store to the final commit.</param>
public sealed record RunResult(long SessionId, Events.SessionStatus Status, CounterSnapshot Counters, TimeSpan Elapsed)
{
    /// <summary>Events of providers no decoder reads, by provider: what a recording held instead of ours.</summary>
    public IReadOnlyDictionary<string, long> OtherProviders { get; init; } = new Dictionary<string, long>();
}
