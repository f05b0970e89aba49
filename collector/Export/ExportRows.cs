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
    public static DateTime Utc(long us) => DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
}

/// <summary>One ended flow (table=flows).</summary>
public sealed class FlowExportRow : ExportRow
{
    [JsonPropertyName("flow_id")] public ulong FlowId { get; set; }
    [JsonPropertyName("pid")] public long? Pid { get; set; }
    [JsonPropertyName("process_path")] public string? ProcessPath { get; set; }
    [JsonPropertyName("direction")] public string? Direction { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("local_address")] public string? LocalAddress { get; set; }
    [JsonPropertyName("local_port")] public int? LocalPort { get; set; }
    [JsonPropertyName("remote_address")] public string? RemoteAddress { get; set; }
    [JsonPropertyName("remote_port")] public int? RemotePort { get; set; }
    [JsonPropertyName("start_ts"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime? StartTs { get; set; }
    [JsonPropertyName("end_ts"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime EndTs { get; set; }
    [JsonPropertyName("packets_in")] public long PacketsIn { get; set; }
    [JsonPropertyName("bytes_in")] public long BytesIn { get; set; }
    [JsonPropertyName("packets_out")] public long PacketsOut { get; set; }
    [JsonPropertyName("bytes_out")] public long BytesOut { get; set; }
    [JsonPropertyName("session_id")] public long SessionId { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => StartTs ?? EndTs;
}

/// <summary>What one minute of one packet stream added since the last export (table=packet_minutes): sum the rows.</summary>
public sealed class RollupExportRow : ExportRow
{
    [JsonPropertyName("minute"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime Minute { get; set; }
    [JsonPropertyName("flow_id")] public ulong FlowId { get; set; }
    [JsonPropertyName("pid")] public long Pid { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("local_address")] public string? LocalAddress { get; set; }
    [JsonPropertyName("local_port")] public int LocalPort { get; set; }
    [JsonPropertyName("remote_address")] public string? RemoteAddress { get; set; }
    [JsonPropertyName("remote_port")] public int RemotePort { get; set; }
    [JsonPropertyName("packets_in")] public long PacketsIn { get; set; }
    [JsonPropertyName("bytes_in")] public long BytesIn { get; set; }
    [JsonPropertyName("packets_out")] public long PacketsOut { get; set; }
    [JsonPropertyName("bytes_out")] public long BytesOut { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => Minute;
}

/// <summary>One packet (table=packets), only when the store has them.</summary>
public sealed class PacketExportRow : ExportRow
{
    [JsonPropertyName("ts"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime Ts { get; set; }
    [JsonPropertyName("flow_id")] public ulong FlowId { get; set; }
    [JsonPropertyName("pid")] public long Pid { get; set; }
    [JsonPropertyName("direction")] public string? Direction { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("local_address")] public string? LocalAddress { get; set; }
    [JsonPropertyName("local_port")] public int LocalPort { get; set; }
    [JsonPropertyName("remote_address")] public string? RemoteAddress { get; set; }
    [JsonPropertyName("remote_port")] public int RemotePort { get; set; }
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => Ts;
}

/// <summary>One finished collector session (table=sessions).</summary>
public sealed class SessionExportRow : ExportRow
{
    [JsonPropertyName("session_id")] public long SessionId { get; set; }
    [JsonPropertyName("started_ts"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime StartedTs { get; set; }
    [JsonPropertyName("ended_ts"), ParquetTimestamp(ParquetTimestampResolution.Microseconds, true, true)] public DateTime? EndedTs { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("source_detail")] public string? SourceDetail { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("events_received")] public long EventsReceived { get; set; }
    [JsonPropertyName("events_written")] public long EventsWritten { get; set; }
    [JsonPropertyName("events_dropped")] public long EventsDropped { get; set; }
    [JsonPropertyName("events_lost")] public long EventsLost { get; set; }
    [JsonPropertyName("events_malformed")] public long EventsMalformed { get; set; }
    [JsonPropertyName("events_unknown")] public long EventsUnknown { get; set; }
    /// <inheritdoc/>
    public override DateTime PartitionTime => StartedTs;
}
