// What each lake table gets next, read from the store: flows as segments (FlowSegments), minute rollups as deltas of
// what each row has sent, corrections of rows that import --replace took out, packets and sessions by a watermark.
// Each reader fills a writer with at most a chunk of rows and returns how to commit their progress, which
// ParquetExporter runs in the transaction that lists the chunk's files. The run itself (locks, hidden files, commit,
// rename) is ParquetExporter's.
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Export;

/// <summary>The per-table readers of an export run.</summary>
internal sealed class LakeRowReaders(SqliteConnection connection)
{
    private readonly FlowSegments _segments = new(connection);

    internal long Watermark(string table) =>
        connection.ExecuteScalar<long?>("SELECT last_key FROM export_watermark WHERE table_name = @table", new { table }) ?? 0;

    /// <summary>Moves a watermark, in the same transaction as the rows it covers, only from where it was read.</summary>
    internal static void AdvanceWatermark(SqliteTransaction tx, string table, long from, long to)
    {
        var target = tx.Connection!.ExecuteScalar<string>("SELECT target FROM export_lake", transaction: tx) ?? "";
        var changed = tx.Connection!.Execute("""
            INSERT INTO export_watermark(table_name, target, last_key) VALUES (@table, @target, @to)
            ON CONFLICT(table_name) DO UPDATE SET last_key = excluded.last_key, target = excluded.target WHERE last_key = @from
            """, new { table, target, from, to }, tx);
        if (changed != 1) throw new InvalidOperationException($"the {table} watermark moved during this export");
    }

    private const string ProtocolName = "CASE {0} WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp' WHEN 58 THEN 'icmpv6' ELSE CAST({0} AS TEXT) END";

    private static string Protocol(string column) => string.Format(CultureInfo.InvariantCulture, ProtocolName, column);

    private static string? ProtocolText(long? protocol) => protocol switch
    {
        null => null,
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "icmpv6",
        _ => protocol.Value.ToString(CultureInfo.InvariantCulture),
    };

    public async Task<(int, int, Action<SqliteTransaction>)> NextSegments(PartitionedParquetWriter<FlowExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken)
    {
        var read = await _segments.NextAsync(ParquetExporter.ChunkRows, async s =>
        {
            if (!s.IsCorrection && s.SegmentEndUs < sinceUs) return; // --since: left out for good, counted as sent
            await writer.AddAsync(new FlowExportRow
            {
                Host = host, FlowId = s.FlowId, Pid = s.Pid, ProcessPath = s.ProcessPath,
                Direction = s.Direction switch { 0 => "out", 1 => "in", _ => null }, Protocol = ProtocolText(s.Protocol),
                LocalAddress = s.LocalAddress, LocalPort = (int?)s.LocalPort, RemoteAddress = s.RemoteAddress, RemotePort = (int?)s.RemotePort,
                StartTs = s.FlowStartUs is { } st ? ExportRow.Utc(st) : null, EndTs = s.FlowEndUs is { } e ? ExportRow.Utc(e) : null,
                SegmentStartTs = ExportRow.Utc(s.SegmentStartUs), SegmentEndTs = ExportRow.Utc(s.SegmentEndUs),
                PacketsIn = s.PacketsIn, BytesIn = s.BytesIn, PacketsOut = s.PacketsOut, BytesOut = s.BytesOut,
                Ended = s.Ended, Correction = s.IsCorrection, SessionId = s.SessionId,
            }, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return (read, ParquetExporter.ChunkRows, _segments.Commit);
    }

    public async Task<(int, int, Action<SqliteTransaction>)> NextMinuteCorrections(PartitionedParquetWriter<RollupExportRow> writer, string host, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        foreach (var c in connection.Query<(long Id, long Ts, long? FlowId, long? Pid, long? Protocol, string? La, long? Lp, string? Ra, long? Rp, long Pin, long Bin, long Pout, long Bout)>($"""
            SELECT correction_id, ts_us, flow_id, pid, protocol, local_address, local_port, remote_address, remote_port, packets_in, bytes_in, packets_out, bytes_out
            FROM export_correction WHERE kind = 'packet_minutes' ORDER BY correction_id LIMIT {ParquetExporter.ChunkRows}
            """, buffered: false))
        {
            ids.Add(c.Id);
            await writer.AddAsync(new RollupExportRow
            {
                Host = host, Minute = ExportRow.Utc(c.Ts), FlowId = unchecked((ulong)(c.FlowId ?? 0)), Pid = c.Pid ?? 0, Protocol = ProtocolText(c.Protocol),
                LocalAddress = c.La, LocalPort = (int)(c.Lp ?? 0), RemoteAddress = c.Ra, RemotePort = (int)(c.Rp ?? 0),
                PacketsIn = -c.Pin, BytesIn = -c.Bin, PacketsOut = -c.Pout, BytesOut = -c.Bout, Correction = true,
            }, cancellationToken).ConfigureAwait(false);
        }
        return (ids.Count, ParquetExporter.ChunkRows, tx => tx.Connection!.Execute("DELETE FROM export_correction WHERE correction_id = @id", ids.Select(id => new { id }), tx));
    }

    /// <summary>Packets' minutes (packet_minute), as deltas of what each row has sent.</summary>
    public Task<(int, int, Action<SqliteTransaction>)> NextPacketMinutes(PartitionedParquetWriter<RollupExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken) =>
        NextMinuteDeltas(writer, host, sinceUs, "packet_minute", "stream_id", $"""
            SELECT m.stream_id, m.minute, s.flow_id, s.pid, {Protocol("s.protocol")}, s.local_address, s.local_port, s.remote_address, s.remote_port,
                   m.packets_in - m.exported_packets_in, m.bytes_in - m.exported_bytes_in,
                   m.packets_out - m.exported_packets_out, m.bytes_out - m.exported_bytes_out
            FROM packet_minute m JOIN packet_stream s ON s.stream_id = m.stream_id
            WHERE (m.packets_in <> m.exported_packets_in OR m.bytes_in <> m.exported_bytes_in
                   OR m.packets_out <> m.exported_packets_out OR m.bytes_out <> m.exported_bytes_out)
            ORDER BY m.stream_id, m.minute
            LIMIT {ParquetExporter.ChunkRows}
            """, cancellationToken);

    /// <summary>Flow records' minutes, open flows' too, as deltas of what each row has sent (index flow_minute_export_todo).</summary>
    public Task<(int, int, Action<SqliteTransaction>)> NextFlowMinutes(PartitionedParquetWriter<RollupExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken) =>
        NextMinuteDeltas(writer, host, sinceUs, "flow_minute", "flow_key", $"""
            SELECT m.flow_key, m.minute, f.flow_id, f.pid, {Protocol("f.protocol")}, f.local_address, f.local_port, f.remote_address, f.remote_port,
                   m.packets_in - m.exported_packets_in, m.bytes_in - m.exported_bytes_in,
                   m.packets_out - m.exported_packets_out, m.bytes_out - m.exported_bytes_out
            FROM flow_minute m INDEXED BY flow_minute_export_todo JOIN flow_row f ON f.flow_key = m.flow_key
            WHERE m.packets_in <> m.exported_packets_in OR m.bytes_in <> m.exported_bytes_in OR m.packets_out <> m.exported_packets_out OR m.bytes_out <> m.exported_bytes_out
            ORDER BY m.flow_key, m.minute
            LIMIT {ParquetExporter.ChunkRows}
            """, cancellationToken);

    /// <summary>
    /// A chunk of minute rows whose counters moved since they were last sent, written as their deltas; the commit adds
    /// what was read to what the rows have sent (not sets what is there now: the collector may have added since).
    /// </summary>
    private async Task<(int, int, Action<SqliteTransaction>)> NextMinuteDeltas(PartitionedParquetWriter<RollupExportRow> writer, string host, long sinceUs,
        string table, string keyColumn, string sql, CancellationToken cancellationToken)
    {
        var sent = new List<(long Key, long Minute, long Pin, long Bin, long Pout, long Bout)>();
        foreach (var r in connection.Query<(long Key, long Minute, long FlowId, long? Pid, string? Protocol, string? LocalAddress, long? LocalPort,
            string? RemoteAddress, long? RemotePort, long Pin, long Bin, long Pout, long Bout)>(sql, buffered: false))
        {
            sent.Add((r.Key, r.Minute, r.Pin, r.Bin, r.Pout, r.Bout));
            if (r.Minute * 60_000_000 + 59_999_999 < sinceUs) continue; // --since: left out for good, counted as sent
            await writer.AddAsync(new RollupExportRow
            {
                Host = host, Minute = ExportRow.Utc(r.Minute * 60_000_000), FlowId = unchecked((ulong)r.FlowId), Pid = r.Pid ?? 0, Protocol = r.Protocol,
                LocalAddress = r.LocalAddress, LocalPort = (int)(r.LocalPort ?? 0), RemoteAddress = r.RemoteAddress, RemotePort = (int)(r.RemotePort ?? 0),
                PacketsIn = r.Pin, BytesIn = r.Bin, PacketsOut = r.Pout, BytesOut = r.Bout,
            }, cancellationToken).ConfigureAwait(false);
        }
        return (sent.Count, ParquetExporter.ChunkRows, tx => tx.Connection!.Execute($"""
            UPDATE {table} SET exported_packets_in = exported_packets_in + @Pin, exported_bytes_in = exported_bytes_in + @Bin,
                   exported_packets_out = exported_packets_out + @Pout, exported_bytes_out = exported_bytes_out + @Bout
            WHERE {keyColumn} = @Key AND minute = @Minute
            """, sent.Select(r => new { r.Key, r.Minute, r.Pin, r.Bin, r.Pout, r.Bout }), tx));
    }

    public async Task<(int, int, Action<SqliteTransaction>)> NextPackets(PartitionedParquetWriter<PacketExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken)
    {
        // Corrections first: packets an import --replace deleted after they were sent, sent again with negated bytes.
        var ids = new List<long>();
        foreach (var c in connection.Query<(long Id, long Ts, long? FlowId, long? Pid, long? Direction, long? Protocol, string? La, long? Lp, string? Ra, long? Rp, long Bytes)>($"""
            SELECT correction_id, ts_us, flow_id, pid, direction, protocol, local_address, local_port, remote_address, remote_port, bytes_in
            FROM export_correction WHERE kind = 'packets' ORDER BY correction_id LIMIT {ParquetExporter.ChunkRows}
            """, buffered: false))
        {
            ids.Add(c.Id);
            await writer.AddAsync(new PacketExportRow
            {
                Host = host, Ts = ExportRow.Utc(c.Ts), FlowId = unchecked((ulong)(c.FlowId ?? 0)), Pid = c.Pid ?? 0, Direction = c.Direction == 1 ? "in" : "out",
                Protocol = ProtocolText(c.Protocol), LocalAddress = c.La, LocalPort = (int)(c.Lp ?? 0), RemoteAddress = c.Ra, RemotePort = (int)(c.Rp ?? 0),
                Bytes = -c.Bytes, Correction = true,
            }, cancellationToken).ConfigureAwait(false);
        }
        if (ids.Count > 0) // a chunk of its own (read = limit: the run goes on to the packets themselves)
            return (ids.Count, ids.Count, tx => tx.Connection!.Execute("DELETE FROM export_correction WHERE correction_id = @id", ids.Select(id => new { id }), tx));

        var watermark = Watermark("packets");
        var last = watermark;
        var read = 0;
        foreach (var p in connection.Query<(long RowId, long Ts, long FlowId, long Pid, long Direction, string Protocol, string LocalAddress, long LocalPort,
            string RemoteAddress, long RemotePort, long Bytes)>($"""
            SELECT p.rowid, p.ts_us, s.flow_id, s.pid, p.direction, {Protocol("s.protocol")},
                   s.local_address, s.local_port, s.remote_address, s.remote_port, p.bytes
            FROM packet p JOIN packet_stream s ON s.stream_id = p.stream_id
            WHERE p.rowid > @watermark
            ORDER BY p.rowid
            LIMIT {ParquetExporter.ChunkRows}
            """, new { watermark }, buffered: false))
        {
            read++;
            last = p.RowId;
            if (p.Ts < sinceUs) continue;
            await writer.AddAsync(new PacketExportRow
            {
                Host = host, Ts = ExportRow.Utc(p.Ts), FlowId = unchecked((ulong)p.FlowId), Pid = p.Pid, Direction = p.Direction == 1 ? "in" : "out",
                Protocol = p.Protocol, LocalAddress = p.LocalAddress, LocalPort = (int)p.LocalPort, RemoteAddress = p.RemoteAddress,
                RemotePort = (int)p.RemotePort, Bytes = p.Bytes,
            }, cancellationToken).ConfigureAwait(false);
        }
        return (read, ParquetExporter.ChunkRows, tx => AdvanceWatermark(tx, "packets", watermark, last));
    }

    public async Task<(int, int, Action<SqliteTransaction>)> NextSessions(PartitionedParquetWriter<SessionExportRow> writer, string host, CancellationToken cancellationToken)
    {
        var watermark = Watermark("sessions");
        // Finished sessions, in id order, stopping at the first one still running: its counters still change. A
        // 'running' session with a later one of the same source was a crashed run and goes as it is.
        var found = connection.Query<(long Id, long Started, long? Ended, string Source, string? Detail, string Status, long Received, long Written,
            long Dropped, long Lost, long Malformed, long Unknown, bool Finished)>("""
            SELECT s.session_id, s.started_ts_us, s.ended_ts_us, s.source, s.source_detail, s.status, s.events_received, s.events_written,
                   s.events_dropped, s.events_lost, s.events_malformed, s.events_unknown,
                   s.status <> @running OR EXISTS (SELECT 1 FROM collector_session n WHERE n.session_id > s.session_id AND n.source = s.source)
            FROM collector_session s WHERE s.session_id > @watermark ORDER BY s.session_id
            """, new { watermark, running = SessionStatus.Running.Text() }).TakeWhile(s => s.Finished).ToList();
        foreach (var s in found)
        {
            await writer.AddAsync(new SessionExportRow
            {
                Host = host, SessionId = s.Id, StartedTs = ExportRow.Utc(s.Started), EndedTs = s.Ended is { } e ? ExportRow.Utc(e) : null,
                Source = s.Source, SourceDetail = s.Detail, Status = s.Status, EventsReceived = s.Received, EventsWritten = s.Written,
                EventsDropped = s.Dropped, EventsLost = s.Lost, EventsMalformed = s.Malformed, EventsUnknown = s.Unknown,
            }, cancellationToken).ConfigureAwait(false);
        }
        return (found.Count, int.MaxValue, tx => { if (found.Count > 0) AdvanceWatermark(tx, "sessions", watermark, found[^1].Id); });
    }
}
