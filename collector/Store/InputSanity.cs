// The rules for values from outside that the store refuses or bounds (a DNS server's CNAME chain, a recording's
// clock, a driver's counters), counted per batch and written as one health_event row named InputSanity per batch
// that triggered any ({"rule": count, ...}), so a hostile input is visible in the store, not only absent from it.
// The rules and their limits are listed in schema/README.md.
namespace MonitorNetwork.Collector.Store;

/// <summary>Counts the input-sanity rules that triggered in one batch.</summary>
public sealed class InputSanity
{
    /// <summary>The health_event name of the rows this writes.</summary>
    public const string EventName = "InputSanity";

    /// <summary>An event time before this (2000-01-01) is not a real network event: 1601 and 1969 are zeroed clocks.</summary>
    public const long MinPlausibleUs = 946_684_800_000_000L;

    /// <summary>An event time more than this after the clock of the machine that stores it is refused.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    /// <summary>A CNAME chain longer than this is cut (resolvers give up after 8 to 16).</summary>
    public const int MaxCnameChain = 16;

    /// <summary>A DNS name longer than this is refused (RFC 1035: 253 characters of text; 255 octets on the wire).</summary>
    public const int MaxDnsNameChars = 255;

    /// <summary>Rule names, as they appear in the InputSanity rows.</summary>
    public static class Rules
    {
        /// <summary>An event's time was outside 2000-01-01 .. now + 1 day: the event was not stored.</summary>
        public const string TimestampImplausible = "timestamp_implausible";
        /// <summary>A CNAME chain was cut to <see cref="MaxCnameChain"/>, or an over-long CNAME left out.</summary>
        public const string CnameChainCapped = "cname_chain_capped";
        /// <summary>An answer's address was not in a strict form (a.b.c.d or RFC 4291 text) and was left out.</summary>
        public const string AddressNotStrict = "address_not_strict";
        /// <summary>A flow's counter went back: the record starts a new segment, counted from zero.</summary>
        public const string CounterWentBack = "counter_went_back";
        /// <summary>A flow's counter was above 2^63-1: refused, the flow ended with its last stored counters.</summary>
        public const string CounterOverflow = "counter_overflow";
        /// <summary>A record's FlowId was that of an open flow with another identity: a new flow was started.</summary>
        public const string FlowIdReused = "flow_id_reused";
    }

    private readonly Dictionary<string, ulong> _counts = new(StringComparer.Ordinal);
    private long _lastUs;

    /// <summary>Counts one trigger of <paramref name="rule"/>, seen at <paramref name="timestampUs"/>.</summary>
    public void Note(string rule, long timestampUs)
    {
        _counts[rule] = _counts.GetValueOrDefault(rule) + 1;
        if (timestampUs >= MinPlausibleUs) _lastUs = Math.Max(_lastUs, timestampUs);
    }

    /// <summary>Whether a time is plausible for a network event stored at <paramref name="nowUs"/>.</summary>
    public static bool Plausible(long timestampUs, long nowUs) => timestampUs >= MinPlausibleUs && timestampUs <= nowUs + (long)MaxFutureSkew.TotalMicroseconds;

    /// <summary>The batch's row, if any rule triggered, and forgets the counts.</summary>
    public Events.HealthEvent? Take(long nowUs)
    {
        if (_counts.Count == 0) return null;
        var row = new Events.HealthEvent(_lastUs != 0 ? _lastUs : nowUs, EventName, _counts.OrderBy(c => c.Key, StringComparer.Ordinal).ToArray());
        Clear();
        return row;
    }

    /// <summary>Forgets the counts of a batch that was rolled back.</summary>
    public void Clear()
    {
        _counts.Clear();
        _lastUs = 0;
    }
}
