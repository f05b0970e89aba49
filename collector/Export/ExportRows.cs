// The rows of each exported table, as Parquet sees them: snake_case columns, timestamps as TIMESTAMP(MICROS,
// UTC), FlowIds as UINT64, addresses as strings, and the host and partition date on every row.
using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace MonitorNetwork.Collector.Export;

/// <summary>Fields every exported row has.</summary>
public abstract class ExportRow
{
    /// <summary>The machine the store belongs to (the Hive partition host=...).</summary>
    [JsonPropertyName("host")] public string Host { get; set; } = "";

    /// <summary>The UTC day the row belongs to, yyyy-MM-dd (the Hive partition date=...).</summary>
    [ParquetIgnore] public string Date => PartitionTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The time that places the row in its day.</summary>
    [ParquetIgnore] public abstract DateTime PartitionTime { get; }

    /// <summary>UTC microseconds to a UTC DateTime.</summary>
    public static DateTime Utc(long us) => Events.UnixMicros.ToDateTime(us);
}

/// <summary>
/// One segment of one flow (table=flows), NetFlow's active timeout: what the flow moved since its previous segment,
/// from segment_start_ts to segment_end_ts. A flow is known by (host, flow_id, start_ts); sum its rows for its totals.
/// A row with correction = true takes out what an import --replace removed from the store (its counters are negative).
/// </summary>
public sealed class FlowExportRow : ExportRow
{
    /// <summary>WFP's flow handle (UINT64).</summary>
    [JsonPropertyName("flow_id")] public ulong FlowId { get; set; }
    /// <summary>The flow's process id.</summary>
    [JsonPropertyName("pid")] public long? Pid { get; set; }
    /// <summary>The program's path: the flow's own, or the process table's.</summary>
    [JsonPropertyName("process_path")] public string? ProcessPath { get; set; }
    /// <summary>in or out.</summary>
    [JsonPropertyName("direction")] public string? Direction { get; set; }
    /// <summary>tcp, udp, icmp, icmpv6 or the protocol number.</summary>
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    /// <summary>Local address.</summary>
    [JsonPropertyName("local_address")] public string? LocalAddress { get; set; }
    /// <summary>Local port.</summary>
    [JsonPropertyName("local_port")] public int? LocalPort { get; set; }
    /// <summary>Remote address.</summary>
    [JsonPropertyName("remote_address")] public string? RemoteAddress { get; set; }
    /// <summary>Remote port.</summary>
    [JsonPropertyName("remote_port")] public int? RemotePort { get; set; }
    /// <summary>The flow's start (part of its identity); null when collection began after it and no record said.</summary>
    [JsonPropertyName("start_ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime? StartTs { get; set; }
    /// <summary>The flow's end, on its last segment; null while it is open.</summary>
    [JsonPropertyName("end_ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime? EndTs { get; set; }
    /// <summary>Where this segment starts: the previous segment's end, or the flow's start.</summary>
    [JsonPropertyName("segment_start_ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime SegmentStartTs { get; set; }
    /// <summary>Where this segment ends: the flow's end, or the time of its newest counters.</summary>
    [JsonPropertyName("segment_end_ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime SegmentEndTs { get; set; }
    /// <summary>Packets received in this segment.</summary>
    [JsonPropertyName("packets_in")] public long PacketsIn { get; set; }
    /// <summary>Payload bytes received in this segment.</summary>
    [JsonPropertyName("bytes_in")] public long BytesIn { get; set; }
    /// <summary>Packets sent in this segment.</summary>
    [JsonPropertyName("packets_out")] public long PacketsOut { get; set; }
    /// <summary>Payload bytes sent in this segment.</summary>
    [JsonPropertyName("bytes_out")] public long BytesOut { get; set; }
    /// <summary>Whether the flow had ended by this segment (its last one).</summary>
    [JsonPropertyName("ended")] public bool Ended { get; set; }
    /// <summary>A correction: an import --replace took these (negated) amounts out of the store.</summary>
    [JsonPropertyName("correction")] public bool Correction { get; set; }
    /// <summary>The collector session that stored the flow.</summary>
    [JsonPropertyName("session_id")] public long SessionId { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => SegmentEndTs;
}

/// <summary>What one minute of one packet stream added since the last export (table=packet_minutes): sum the rows.</summary>
public sealed class RollupExportRow : ExportRow
{
    /// <summary>The minute's start (UTC).</summary>
    [JsonPropertyName("minute"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime Minute { get; set; }
    /// <summary>WFP's flow handle (UINT64).</summary>
    [JsonPropertyName("flow_id")] public ulong FlowId { get; set; }
    /// <summary>The process id.</summary>
    [JsonPropertyName("pid")] public long Pid { get; set; }
    /// <summary>tcp, udp, icmp, icmpv6 or the protocol number.</summary>
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    /// <summary>Local address.</summary>
    [JsonPropertyName("local_address")] public string? LocalAddress { get; set; }
    /// <summary>Local port.</summary>
    [JsonPropertyName("local_port")] public int LocalPort { get; set; }
    /// <summary>Remote address.</summary>
    [JsonPropertyName("remote_address")] public string? RemoteAddress { get; set; }
    /// <summary>Remote port.</summary>
    [JsonPropertyName("remote_port")] public int RemotePort { get; set; }
    /// <summary>Packets received (a delta: sum the rows).</summary>
    [JsonPropertyName("packets_in")] public long PacketsIn { get; set; }
    /// <summary>Payload bytes received (a delta: sum the rows).</summary>
    [JsonPropertyName("bytes_in")] public long BytesIn { get; set; }
    /// <summary>Packets sent (a delta: sum the rows).</summary>
    [JsonPropertyName("packets_out")] public long PacketsOut { get; set; }
    /// <summary>Payload bytes sent (a delta: sum the rows).</summary>
    [JsonPropertyName("bytes_out")] public long BytesOut { get; set; }
    /// <summary>A correction: an import --replace took these (negated) amounts out of the store.</summary>
    [JsonPropertyName("correction")] public bool Correction { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => Minute;
}

/// <summary>One packet (table=packets), only when the store has them.</summary>
public sealed class PacketExportRow : ExportRow
{
    /// <summary>The packet's time (UTC).</summary>
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime Ts { get; set; }
    /// <summary>WFP's flow handle (UINT64).</summary>
    [JsonPropertyName("flow_id")] public ulong FlowId { get; set; }
    /// <summary>The process id.</summary>
    [JsonPropertyName("pid")] public long Pid { get; set; }
    /// <summary>in or out.</summary>
    [JsonPropertyName("direction")] public string? Direction { get; set; }
    /// <summary>tcp, udp, icmp, icmpv6 or the protocol number.</summary>
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    /// <summary>Local address.</summary>
    [JsonPropertyName("local_address")] public string? LocalAddress { get; set; }
    /// <summary>Local port.</summary>
    [JsonPropertyName("local_port")] public int LocalPort { get; set; }
    /// <summary>Remote address.</summary>
    [JsonPropertyName("remote_address")] public string? RemoteAddress { get; set; }
    /// <summary>Remote port.</summary>
    [JsonPropertyName("remote_port")] public int RemotePort { get; set; }
    /// <summary>Payload bytes.</summary>
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
    /// <summary>A correction: an import --replace removed this packet from the store (bytes negated).</summary>
    [JsonPropertyName("correction")] public bool Correction { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => Ts;
}

/// <summary>One finished collector session (table=sessions).</summary>
public sealed class SessionExportRow : ExportRow
{
    /// <summary>The collector session.</summary>
    [JsonPropertyName("session_id")] public long SessionId { get; set; }
    /// <summary>When the session started.</summary>
    [JsonPropertyName("started_ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime StartedTs { get; set; }
    /// <summary>When it ended.</summary>
    [JsonPropertyName("ended_ts"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)] public DateTime? EndedTs { get; set; }
    /// <summary>etw-driver, etw-kernel, nettrace, etl ...</summary>
    [JsonPropertyName("source")] public string? Source { get; set; }
    /// <summary>The file or session name.</summary>
    [JsonPropertyName("source_detail")] public string? SourceDetail { get; set; }
    /// <summary>completed, truncated, interrupted ...</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    /// <summary>Events received.</summary>
    [JsonPropertyName("events_received")] public long EventsReceived { get; set; }
    /// <summary>Events written.</summary>
    [JsonPropertyName("events_written")] public long EventsWritten { get; set; }
    /// <summary>Events dropped (queue full).</summary>
    [JsonPropertyName("events_dropped")] public long EventsDropped { get; set; }
    /// <summary>Events ETW lost.</summary>
    [JsonPropertyName("events_lost")] public long EventsLost { get; set; }
    /// <summary>Events refused as malformed.</summary>
    [JsonPropertyName("events_malformed")] public long EventsMalformed { get; set; }
    /// <summary>Events of unknown providers or ids.</summary>
    [JsonPropertyName("events_unknown")] public long EventsUnknown { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => StartedTs;
}
