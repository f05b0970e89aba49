// Incremental export of a store to a Hive-partitioned Parquet lake: LAKE/table=T/host=H/date=YYYY-MM-DD/part-....parquet,
// readable by DuckDB, Spark, Trino, ClickHouse. One run at a time per store and per lake (ExportLock), into the one
// lake the store belongs to (LakeIdentity). What is new is found per table: flows as segments (FlowSegments: every
// flow that moved, open or ended), minute rollups (packet_minute, flow_minute) as deltas of what each row has
// already sent, packets and sessions by a watermark; and what import --replace took out of rows already sent, as
// corrections (negated rows). Rows stream from SQLite into row groups (PartitionedParquetWriter), a chunk of rows a
// file; each chunk's files are written under hidden temporary names, its progress is committed together with the
// list of those files (each row's progress only if nobody moved it meanwhile), then they are renamed. A run killed
// before its commit leaves hidden files the next run removes and rows it exports again; one killed after it is
// completed by the next. So a reader never sees half a file, and no row reaches the lake twice or never.
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Store;
using Parquet;
using Parquet.Serialization;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Export;

/// <summary>What one export run wrote.</summary>
public sealed record ExportResult(IReadOnlyDictionary<string, long> RowsByTable, int Files, long Bytes, TimeSpan Elapsed)
{
    /// <summary>One line: rows per table, files, bytes, time.</summary>
    public string Summary() =>
        string.Join(", ", RowsByTable.Select(t => $"{t.Key} {t.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}")) +
        $"; {Files} files, {Bytes / 1024.0:F0} KiB in {Elapsed.TotalSeconds:F1} s";
}

/// <summary>Settings of an export run.</summary>
/// <param name="Target">The fleet directory.</param>
/// <param name="Host">The host partition; the machine name by default.</param>
/// <param name="SinceUs">Leave out rows older than this (UTC microseconds); their watermark still advances.</param>
/// <param name="Restart">Forget what was exported and export everything again, into a lake that holds none of this store's rows.</param>
/// <param name="LockWait">How long to wait for another export of this store or into this lake.</param>
public sealed record ExportOptions(string Target, string Host, long SinceUs = 0, bool Restart = false, TimeSpan? LockWait = null);

/// <summary>Exports a store to Parquet.</summary>
public sealed class ParquetExporter(SqliteConnection connection)
{
    /// <summary>Rows read per chunk (one commit, one file per date partition).</summary>
    public const int ChunkRows = 100_000;

    /// <summary>Rows per row group: what memory holds per partition being written.</summary>
    public const int RowGroupRows = 25_000;

    /// <summary>
    /// zstd: DuckDB and Spark scan a row group at a time, and these narrow tables compress about a third better with
    /// zstd than with snappy at a similar read speed, and every engine named here reads it. The level is set:
    /// Parquet.Net's default is the smallest size, which made zstd about seven times slower for 2% smaller files
    /// (measured: 500k packets, 4.9 s against 0.7 s).
    /// </summary>
    public static readonly ParquetOptions Options = new()
    {
        CompressionMethod = CompressionMethod.Zstd,
        CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
    };

    /// <summary>How long a run waits for another export of the same store or into the same lake.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromSeconds(30);

    /// <summary>Benchmark: where the time goes, a line per table.</summary>
    internal Action<string>? Trace { get; set; }

    /// <summary>Tests: runs after the temporary files are written and before the progress commits.</summary>
    internal Action? BeforeCommit { get; set; }
    /// <summary>Tests: runs after the progress committed and before the files are renamed.</summary>
    internal Action? AfterCommit { get; set; }

    private readonly string _runId = DateTime.UtcNow.ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
    private int _fileNumber;

    /// <summary>Exports what is new since the last run; completes a run that was killed after its commit.</summary>
    public async Task<ExportResult> ExportAsync(ExportOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var host = SafeHost(options.Host);
        Directory.CreateDirectory(options.Target);
        var lake = LakeIdentity.Canonical(options.Target);
        using var locks = ExportLock.Acquire(connection.DataSource, lake, options.LockWait ?? DefaultLockWait);
        LakeIdentity.Bind(connection, lake, host, options.Restart); // refuses a --restart into a lake that has this store's rows
        if (options.Restart) Restart();
        CompletePending();
        RemoveOrphans(lake);
        var rows = new Dictionary<string, long>();
        var files = 0;
        long bytes = 0;

        async Task Run<T>(string table, Func<PartitionedParquetWriter<T>, Task<(int Read, int Limit, Action<SqliteTransaction> Commit)>> next) where T : ExportRow
        {
            long total = 0;
            var tableClock = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var writer = new PartitionedParquetWriter<T>(lake, table, host, () => $"part-{_runId}-{_fileNumber++:D5}.parquet", RowGroupRows);
                List<(string Temp, string Final)> written;
                (int Read, int Limit, Action<SqliteTransaction> Commit) chunk;
                await using (writer.ConfigureAwait(false))
                {
                    chunk = await next(writer).ConfigureAwait(false);
                    if (chunk.Read == 0) break;
                    written = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    total += writer.Rows;
                }
                BeforeCommit?.Invoke();
                using (var tx = connection.BeginTransaction())
                {
                    chunk.Commit(tx);
                    foreach (var (temp, final) in written)
                        connection.Execute("INSERT INTO export_pending(temp_path, final_path) VALUES (@temp, @final)", new { temp, final }, tx);
                    tx.Commit();
                }
                AfterCommit?.Invoke();
                foreach (var (temp, final) in written)
                {
                    bytes += new FileInfo(temp).Length;
                    Publish(temp, final);
                }
                files += written.Count;
                if (chunk.Read < chunk.Limit) break;
            }
            rows[table] = rows.GetValueOrDefault(table) + total;
            Trace?.Invoke($"{table}: {total} rows in {tableClock.Elapsed.TotalSeconds:F2} s");
        }

        var segments = new FlowSegments(connection);
        await Run<FlowExportRow>("flows", w => NextSegments(segments, w, host, options.SinceUs, cancellationToken)).ConfigureAwait(false);
        await Run<RollupExportRow>("packet_minutes", w => NextMinuteCorrections(w, host, cancellationToken)).ConfigureAwait(false);
        await Run<RollupExportRow>("packet_minutes", w => NextPacketMinutes(w, host, options.SinceUs, cancellationToken)).ConfigureAwait(false);
        await Run<RollupExportRow>("packet_minutes", w => NextFlowMinutes(w, host, options.SinceUs, cancellationToken)).ConfigureAwait(false);
        await Run<PacketExportRow>("packets", w => NextPackets(w, host, options.SinceUs, cancellationToken)).ConfigureAwait(false);
        await Run<SessionExportRow>("sessions", w => NextSessions(w, host, cancellationToken)).ConfigureAwait(false);
        return new ExportResult(rows, files, bytes, clock.Elapsed);
    }

    private static string SafeHost(string host)
    {
        var safe = Files.FileNamePart.Safe(host);
        return safe.Length == 0 ? throw new MonitorNetworkException(FailureKind.Usage, "--host: a host name is needed") : safe;
    }

    private long Watermark(string table) =>
        connection.ExecuteScalar<long?>("SELECT last_key FROM export_watermark WHERE table_name = @table", new { table }) ?? 0;

    /// <summary>Moves a watermark, in the same transaction as the rows it covers, only from where it was read.</summary>
    private static void AdvanceWatermark(SqliteTransaction tx, string table, long from, long to)
    {
        var target = tx.Connection!.ExecuteScalar<string>("SELECT target FROM export_lake", transaction: tx) ?? "";
        var changed = tx.Connection!.Execute("""
            INSERT INTO export_watermark(table_name, target, last_key) VALUES (@table, @target, @to)
            ON CONFLICT(table_name) DO UPDATE SET last_key = excluded.last_key, target = excluded.target WHERE last_key = @from
            """, new { table, target, from, to }, tx);
        if (changed != 1) throw new InvalidOperationException($"the {table} watermark moved during this export");
    }

    /// <summary>Forgets what was exported: a new lake gets everything again.</summary>
    private void Restart()
    {
        using var tx = connection.BeginTransaction();
        connection.Execute("""
            DELETE FROM export_watermark; DELETE FROM export_pending; DELETE FROM export_correction;
            UPDATE flow_row SET exported_packets_in = 0, exported_bytes_in = 0, exported_packets_out = 0, exported_bytes_out = 0,
                   exported_until_us = NULL, export_done = 0
            WHERE export_done = 1 OR exported_until_us IS NOT NULL;
            UPDATE packet_minute SET exported_packets_in = 0, exported_bytes_in = 0, exported_packets_out = 0, exported_bytes_out = 0
            WHERE exported_packets_in <> 0 OR exported_bytes_in <> 0 OR exported_packets_out <> 0 OR exported_bytes_out <> 0;
            UPDATE flow_minute SET exported_packets_in = 0, exported_bytes_in = 0, exported_packets_out = 0, exported_bytes_out = 0
            WHERE exported_packets_in <> 0 OR exported_bytes_in <> 0 OR exported_packets_out <> 0 OR exported_bytes_out <> 0;
            """, transaction: tx);
        tx.Commit();
    }

    /// <summary>Renames the files a killed run had committed but not yet published.</summary>
    private void CompletePending()
    {
        foreach (var (temp, final) in connection.Query<(string, string)>("SELECT temp_path, final_path FROM export_pending").ToList())
            Publish(temp, final);
    }

    /// <summary>
    /// Makes a committed file visible. Its temporary file must exist (or it was published already): a committed file
    /// that is gone means rows the store counts as sent are not in the lake, which is said, never skipped.
    /// </summary>
    private void Publish(string temp, string final)
    {
        if (File.Exists(temp)) File.Move(temp, final, overwrite: false);
        else if (!File.Exists(final))
            throw new MonitorNetworkException(FailureKind.Unexpected,
                $"the export file {final} was committed but its temporary {temp} is gone (deleted by hand?): its rows are not in the lake");
        connection.Execute("DELETE FROM export_pending WHERE temp_path = @temp", new { temp });
    }

    /// <summary>
    /// Temporary files of a run killed before its commit: their rows are exported again, so they go. Runs are
    /// exclusive (ExportLock), so none of these belongs to a run still going.
    /// </summary>
    private void RemoveOrphans(string lake)
    {
        var pending = connection.Query<string>("SELECT temp_path FROM export_pending").ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in Directory.EnumerateFiles(lake, ".part-*.parquet.tmp", SearchOption.AllDirectories))
            if (!pending.Contains(orphan)) File.Delete(orphan);
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

    private static async Task<(int, int, Action<SqliteTransaction>)> NextSegments(FlowSegments segments, PartitionedParquetWriter<FlowExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken)
    {
        var read = await segments.NextAsync(ChunkRows, async s =>
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
        return (read, ChunkRows, segments.Commit);
    }

    private async Task<(int, int, Action<SqliteTransaction>)> NextMinuteCorrections(PartitionedParquetWriter<RollupExportRow> writer, string host, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        foreach (var c in connection.Query<(long Id, long Ts, long? FlowId, long? Pid, long? Protocol, string? La, long? Lp, string? Ra, long? Rp, long Pin, long Bin, long Pout, long Bout)>($"""
            SELECT correction_id, ts_us, flow_id, pid, protocol, local_address, local_port, remote_address, remote_port, packets_in, bytes_in, packets_out, bytes_out
            FROM export_correction WHERE kind = 'packet_minutes' ORDER BY correction_id LIMIT {ChunkRows}
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
        return (ids.Count, ChunkRows, tx => tx.Connection!.Execute("DELETE FROM export_correction WHERE correction_id = @id", ids.Select(id => new { id }), tx));
    }

    /// <summary>Packets' minutes (packet_minute), as deltas of what each row has sent.</summary>
    private Task<(int, int, Action<SqliteTransaction>)> NextPacketMinutes(PartitionedParquetWriter<RollupExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken) =>
        NextMinuteDeltas(writer, host, sinceUs, "packet_minute", "stream_id", $"""
            SELECT m.stream_id, m.minute, s.flow_id, s.pid, {Protocol("s.protocol")}, s.local_address, s.local_port, s.remote_address, s.remote_port,
                   m.packets_in - m.exported_packets_in, m.bytes_in - m.exported_bytes_in,
                   m.packets_out - m.exported_packets_out, m.bytes_out - m.exported_bytes_out
            FROM packet_minute m JOIN packet_stream s ON s.stream_id = m.stream_id
            WHERE (m.packets_in <> m.exported_packets_in OR m.bytes_in <> m.exported_bytes_in
                   OR m.packets_out <> m.exported_packets_out OR m.bytes_out <> m.exported_bytes_out)
            ORDER BY m.stream_id, m.minute
            LIMIT {ChunkRows}
            """, cancellationToken);

    /// <summary>Flow records' minutes, open flows' too, as deltas of what each row has sent (index flow_minute_export_todo).</summary>
    private Task<(int, int, Action<SqliteTransaction>)> NextFlowMinutes(PartitionedParquetWriter<RollupExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken) =>
        NextMinuteDeltas(writer, host, sinceUs, "flow_minute", "flow_key", $"""
            SELECT m.flow_key, m.minute, f.flow_id, f.pid, {Protocol("f.protocol")}, f.local_address, f.local_port, f.remote_address, f.remote_port,
                   m.packets_in - m.exported_packets_in, m.bytes_in - m.exported_bytes_in,
                   m.packets_out - m.exported_packets_out, m.bytes_out - m.exported_bytes_out
            FROM flow_minute m INDEXED BY flow_minute_export_todo JOIN flow_row f ON f.flow_key = m.flow_key
            WHERE m.packets_in <> m.exported_packets_in OR m.bytes_in <> m.exported_bytes_in OR m.packets_out <> m.exported_packets_out OR m.bytes_out <> m.exported_bytes_out
            ORDER BY m.flow_key, m.minute
            LIMIT {ChunkRows}
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
        return (sent.Count, ChunkRows, tx => tx.Connection!.Execute($"""
            UPDATE {table} SET exported_packets_in = exported_packets_in + @Pin, exported_bytes_in = exported_bytes_in + @Bin,
                   exported_packets_out = exported_packets_out + @Pout, exported_bytes_out = exported_bytes_out + @Bout
            WHERE {keyColumn} = @Key AND minute = @Minute
            """, sent.Select(r => new { r.Key, r.Minute, r.Pin, r.Bin, r.Pout, r.Bout }), tx));
    }

    private async Task<(int, int, Action<SqliteTransaction>)> NextPackets(PartitionedParquetWriter<PacketExportRow> writer, string host, long sinceUs, CancellationToken cancellationToken)
    {
        // Corrections first: packets an import --replace deleted after they were sent, sent again with negated bytes.
        var ids = new List<long>();
        foreach (var c in connection.Query<(long Id, long Ts, long? FlowId, long? Pid, long? Direction, long? Protocol, string? La, long? Lp, string? Ra, long? Rp, long Bytes)>($"""
            SELECT correction_id, ts_us, flow_id, pid, direction, protocol, local_address, local_port, remote_address, remote_port, bytes_in
            FROM export_correction WHERE kind = 'packets' ORDER BY correction_id LIMIT {ChunkRows}
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
            LIMIT {ChunkRows}
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
        return (read, ChunkRows, tx => AdvanceWatermark(tx, "packets", watermark, last));
    }

    private async Task<(int, int, Action<SqliteTransaction>)> NextSessions(PartitionedParquetWriter<SessionExportRow> writer, string host, CancellationToken cancellationToken)
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
