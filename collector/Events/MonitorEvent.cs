// The decoded events: our own records, so nothing after the decoder ever sees a TraceEvent object.
namespace MonitorNetwork.Collector.Events;

/// <summary>Base of every decoded contract event.</summary>
/// <param name="TimestampUs">Event time, UTC microseconds since the Unix epoch.</param>
public abstract record MonitorEvent(long TimestampUs);

/// <summary>The contract's FlowEstablished event.</summary>
public sealed record FlowEstablishedEvent(
    long TimestampUs, ulong FlowId, uint ProcessId, FlowDirection Direction, byte Protocol,
    NetAddress LocalAddress, ushort LocalPort, NetAddress RemoteAddress, ushort RemotePort, string ProcessPath)
    : MonitorEvent(TimestampUs)
{
    /// <summary>The path as WFP sent it, when normalisation changed it (see ImagePathNormalizer).</summary>
    public string? RawProcessPath { get; init; }
}

/// <summary>Who a flow belongs to and between which endpoints: FlowEstablished's fields after the FlowId.</summary>
public readonly record struct FlowIdentity(
    uint ProcessId, FlowDirection Direction, byte Protocol, NetAddress LocalAddress, ushort LocalPort,
    NetAddress RemoteAddress, ushort RemotePort);

/// <summary>
/// The contract's FlowDeleted event, with the flow's lifetime totals. <see cref="Identity"/> is null for contract
/// version 1 recordings, whose FlowDeleted carried the FlowId and totals only.
/// </summary>
public sealed record FlowDeletedEvent(
    long TimestampUs, ulong FlowId, ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut)
    : MonitorEvent(TimestampUs)
{
    /// <summary>The flow's identity (contract version 2).</summary>
    public FlowIdentity? Identity { get; init; }

    /// <summary>
    /// A counter was above 2^63-1 (the store's integers): the counters are refused (zero here), and the flow ends
    /// with the counters of its last stored record (InputSanity counter_overflow).
    /// </summary>
    public bool CountersRefused { get; init; }
}

/// <summary>
/// The contract's FlowStats event: a live flow's counters, cumulative since it began. The increase since the flow's
/// previous record (or FlowEstablished) happened within the active interval of that previous record.
/// </summary>
public sealed record FlowStatsEvent(
    long TimestampUs, ulong FlowId, FlowIdentity Identity, ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut)
    : MonitorEvent(TimestampUs);

/// <summary>The contract's Packet event.</summary>
public sealed record PacketEvent(
    long TimestampUs, ulong FlowId, uint ProcessId, FlowDirection Direction, byte Protocol,
    NetAddress LocalAddress, ushort LocalPort, NetAddress RemoteAddress, ushort RemotePort, uint Bytes)
    : MonitorEvent(TimestampUs);

/// <summary>A Health-keyword event (driver start, stop, counters), kept as name and integer fields.</summary>
public sealed record HealthEvent(long TimestampUs, string Name, IReadOnlyList<KeyValuePair<string, ulong>> Fields)
    : MonitorEvent(TimestampUs);

/// <summary>
/// A process that started (or was already running when a live session began). StartTimeUs is its creation time in
/// UTC microseconds: with the pid it names one program run, since PIDs are reused.
/// </summary>
public sealed record ProcessStartedEvent(long TimestampUs, uint ProcessId, long StartTimeUs, string? ImagePath, string? CommandLine)
    : MonitorEvent(TimestampUs)
{
    /// <summary>The path as the source sent it, when normalisation changed it (see ImagePathNormalizer).</summary>
    public string? RawImagePath { get; init; }
}

/// <summary>A process that exited.</summary>
public sealed record ProcessEndedEvent(long TimestampUs, uint ProcessId, long StartTimeUs, string? ImagePath)
    : MonitorEvent(TimestampUs)
{
    /// <summary>The path as the source sent it, when normalisation changed it (see ImagePathNormalizer).</summary>
    public string? RawImagePath { get; init; }
}

/// <summary>
/// A name resolution that completed (Microsoft-Windows-DNS-Client event 3008): what <paramref name="ProcessId"/> asked
/// for, the CNAME chain the answer went through, and the addresses it got (empty for a failure).
/// </summary>
public sealed record DnsAnswerEvent(long TimestampUs, uint ProcessId, string QueryName, uint QueryType, uint Status,
    IReadOnlyList<string> CnameChain, IReadOnlyList<NetAddress> Addresses) : MonitorEvent(TimestampUs)
{
    /// <summary>The answer's CNAME chain was longer than the store keeps, or held an over-long name (InputSanity).</summary>
    public bool CnamesCapped { get; init; }

    /// <summary>The answer held an address in a loose form ("127.1", "0x7f.1"), left out (InputSanity).</summary>
    public bool AddressesRejected { get; init; }
}
