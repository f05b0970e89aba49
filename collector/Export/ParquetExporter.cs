// Incremental export of a store to Hive-partitioned Parquet: DIR/table=T/host=H/date=YYYY-MM-DD/part-....parquet,
// readable by DuckDB, Spark, Trino, ClickHouse. What is new since the last run is found through a watermark per
// table kept in the store (flows: the order they ended in; packets: their rowid; sessions: their id) and, for the
// packets' minute rollups, which are updated in place, through per-row counts of what was already sent (rows are
// exported as deltas: sum them). Flow records' minutes (flow_minute) go to the same packet_minutes table once their
// flow has ended, in the order flows ended: a flow's minutes are complete then. Each run writes every file under a
// hidden temporary name, commits the watermarks together with the list of those files, then renames them; a run that
// was killed after its commit is completed by the next.
// So a reader never sees half a file, and no row is exported twice or skipped.
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Store;
using Parquet;
using Parquet.Serialization;

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
/// <param name="Restart">Forget what was exported (to this or another target) and export everything again.</param>
public sealed record ExportOptions(string Target, string Host, long SinceUs = 0, bool Restart = false);

/// <summary>One chunk of a table: the rows to write, how many were read (rows before --since are read, not written), and the watermark update.</summary>
internal sealed record Chunk(IReadOnlyList<ExportRow> Rows, int Read, Action<SqliteTransaction> Commit)
{
    /// <summary>A chunk that read this many is full: more may follow.</summary>
    public int Limit { get; init; } = ParquetExporter.ChunkRows;
}

/// <summary>Exports a store to Parquet.</summary>
public sealed class ParquetExporter(SqliteConnection connection)
{
    /// <summary>Rows read and written per file at most: a chunk of a table, split by day.</summary>
    public const int ChunkRows = 1_000_000;

    /// <summary>
    /// Row groups of up to 1M rows, zstd: DuckDB and Spark scan a row group at a time, and 1M rows of these narrow
    /// tables is a few MB compressed, large enough to amortise each group's metadata, small enough to skip by
    /// statistics. zstd compresses these repetitive addresses and paths about a third better than snappy at a
    /// similar read speed, and every engine named here reads it. The level is set: Parquet.Net's default is the
    /// smallest size, which made zstd about seven times slower for 2% smaller files (measured: 500k packets, 4.9 s
    /// against 0.7 s).
    /// </summary>
    public static readonly ParquetOptions Options = new()
    {
        CompressionMethod = CompressionMethod.Zstd,
        CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
        RowGroupSize = ChunkRows,
    };

    /// <summary>Benchmark: where the time goes, a line per table.</summary>
    internal Action<string>? Trace { get; set; }

    /// <summary>Tests: runs after the temporary files are written and before the watermarks commit.</summary>
    internal Action? BeforeCommit { get; set; }
    /// <summary>Tests: runs after the watermarks committed and before the files are renamed.</summary>
    internal Action? AfterCommit { get; set; }

    private readonly string _runId = DateTime.UtcNow.ToString("yyyyMMddTHHmmssfff", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
    private int _fileNumber;

    /// <summary>Exports what is new since the last run; completes a run that was killed after its commit.</summary>
    public async Task<ExportResult> ExportAsync(ExportOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var target = Path.GetFullPath(options.Target);
        var host = SafeHost(options.Host);
        Directory.CreateDirectory(target);
        if (options.Restart) Restart();
        CheckTarget(target);
        CompletePending();
        RemoveOrphans(target);
        var rows = new Dictionary<string, long>();
        var files = 0;
        long bytes = 0;
        // table names the watermark; directory the files (default: the same).
        async Task Run(string table, Func<long, Chunk> next, string? directory = null)
        {
            directory ??= table;
            long total = 0;
            var tableClock = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = next(Watermark(table));
                if (chunk.Read == 0) break;
                var written = chunk.Rows.Count > 0
                    ? await WriteChunkAsync(target, directory, host, chunk.Rows, cancellationToken).ConfigureAwait(false)
                    : []; // every row read was before --since: only the watermark moves
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
                total += chunk.Rows.Count;
                if (chunk.Read < chunk.Limit) break;
            }
            rows[directory] = rows.GetValueOrDefault(directory) + total;
            Trace?.Invoke($"{table}: {total} rows in {tableClock.Elapsed.TotalSeconds:F2} s");
        }
        await Run("flows", wm => NextFlows(wm, host, options.SinceUs, target)).ConfigureAwait(false);
        await Run("packet_minutes", _ => NextRollups(host, options.SinceUs)).ConfigureAwait(false);
        await Run("flow_minutes", wm => NextFlowMinutes(wm, host, options.SinceUs, target), "packet_minutes").ConfigureAwait(false);
        await Run("packets", wm => NextPackets(wm, host, options.SinceUs, target)).ConfigureAwait(false);
        await Run("sessions", wm => NextSessions(wm, host, target)).ConfigureAwait(false);
        return new ExportResult(rows, files, bytes, clock.Elapsed);
    }

    private static string SafeHost(string host)
    {
        var safe = new string(host.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return safe.Length == 0 ? throw new MonitorNetworkException(FailureKind.Usage, "--host: a host name is needed") : safe;
    }

    private long Watermark(string table) =>
        connection.ExecuteScalar<long?>("SELECT last_key FROM export_watermark WHERE table_name = @table", new { table }) ?? 0;

    private static void SetWatermark(SqliteTransaction tx, string table, string target, long key) =>
        tx.Connection!.Execute("""
            INSERT INTO export_watermark(table_name, target, last_key) VALUES (@table, @target, @key)
            ON CONFLICT(table_name) DO UPDATE SET last_key = excluded.last_key, target = excluded.target
            """, new { table, target, key }, tx);

    private void CheckTarget(string target)
    {
        var other = connection.ExecuteScalar<string?>("SELECT target FROM export_watermark WHERE target <> @target LIMIT 1", new { target });
        if (other is not null)
            throw new MonitorNetworkException(FailureKind.Usage,
                $"this store exports to {other}; export there, or add --restart to export everything again to {target}");
    }

    private void Restart()
    {
        using var tx = connection.BeginTransaction();
        connection.Execute("DELETE FROM export_watermark; DELETE FROM export_pending;", transaction: tx);
        connection.Execute("""
            UPDATE packet_minute SET exported_packets_in = 0, exported_bytes_in = 0, exported_packets_out = 0, exported_bytes_out = 0
            WHERE exported_packets_in <> 0 OR exported_bytes_in <> 0 OR exported_packets_out <> 0 OR exported_bytes_out <> 0
            """, transaction: tx);
        tx.Commit();
    }

    /// <summary>Renames the files a killed run had committed but not yet published.</summary>
    private void CompletePending()
    {
        foreach (var (temp, final) in connection.Query<(string, string)>("SELECT temp_path, final_path FROM export_pending").ToList())
            Publish(temp, final);
    }

    private void Publish(string temp, string final)
    {
        if (File.Exists(temp)) File.Move(temp, final, overwrite: false);
        connection.Execute("DELETE FROM export_pending WHERE temp_path = @temp", new { temp });
    }

    /// <summary>Temporary files of a run killed before its commit: their rows are exported again, so they go.</summary>
    private void RemoveOrphans(string target)
    {
        var pending = connection.Query<string>("SELECT temp_path FROM export_pending").ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in Directory.EnumerateFiles(target, ".part-*.parquet.tmp", SearchOption.AllDirectories))
            if (!pending.Contains(orphan)) File.Delete(orphan);
    }

    private async Task<List<(string Temp, string Final)>> WriteChunkAsync(string target, string table, string host, IReadOnlyList<ExportRow> rows, CancellationToken cancellationToken)
    {
        var written = new List<(string, string)>();
        foreach (var day in rows.GroupBy(r => r.Date))
        {
            var directory = Path.Combine(target, $"table={table}", $"host={host}", $"date={day.Key}");
            Directory.CreateDirectory(directory);
            var name = $"part-{_runId}-{_fileNumber++:D5}.parquet";
            var temp = Path.Combine(directory, "." + name + ".tmp");
            var final = Path.Combine(directory, name);
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await SerializeAsync(day.ToList(), stream, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true); // durable before the commit that promises it
            }
            written.Add((temp, final));
        }
        return written;
    }

    private static Task SerializeAsync(List<ExportRow> rows, Stream stream, CancellationToken cancellationToken) => rows[0] switch
    {
        FlowExportRow => ParquetSerializer.SerializeAsync(rows.Cast<FlowExportRow>().ToList(), stream, Options, cancellationToken: cancellationToken),
        RollupExportRow => ParquetSerializer.SerializeAsync(rows.Cast<RollupExportRow>().ToList(), stream, Options, cancellationToken: cancellationToken),
        PacketExportRow => ParquetSerializer.SerializeAsync(rows.Cast<PacketExportRow>().ToList(), stream, Options, cancellationToken: cancellationToken),
        SessionExportRow => ParquetSerializer.SerializeAsync(rows.Cast<SessionExportRow>().ToList(), stream, Options, cancellationToken: cancellationToken),
        _ => throw new InvalidOperationException("no Parquet layout for " + rows[0].GetType().Name),
    };

    private const string ProtocolName = "CASE {0} WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp' WHEN 58 THEN 'icmpv6' ELSE CAST({0} AS TEXT) END";

    private Chunk NextFlows(long watermark, string host, long sinceUs, string target)
    {
        var found = connection.Query<(long Seq, long FlowId, long? Pid, string? Path, long? Direction, string? Protocol, string? LocalAddress, long? LocalPort,
            string? RemoteAddress, long? RemotePort, long? StartUs, long EndUs, long? PacketsIn, long? BytesIn, long? PacketsOut, long? BytesOut, long SessionId)>($"""
            SELECT f.ended_seq, f.flow_id, f.pid,
                   coalesce(nullif(f.process_path, ''),
                            (SELECT p.image_path FROM process p
                             WHERE p.pid = f.pid AND p.start_ts_us <= coalesce(f.start_ts_us, f.end_ts_us)
                               AND (p.end_ts_us IS NULL OR p.end_ts_us >= coalesce(f.start_ts_us, f.end_ts_us))
                             ORDER BY p.start_ts_us DESC LIMIT 1),
                            f.process_path),
                   f.direction, {string.Format(System.Globalization.CultureInfo.InvariantCulture, ProtocolName, "f.protocol")}, f.local_address, f.local_port,
                   f.remote_address, f.remote_port, f.start_ts_us, f.end_ts_us, f.packets_in, f.bytes_in, f.packets_out, f.bytes_out, f.session_id
            FROM flow f
            WHERE f.ended_seq > @watermark
            ORDER BY f.ended_seq
            LIMIT {ChunkRows}
            """, new { watermark }).ToList();
        var rows = found.Where(f => (f.StartUs ?? f.EndUs) >= sinceUs).Select(f => (ExportRow)new FlowExportRow
        {
            Host = host, FlowId = unchecked((ulong)f.FlowId), Pid = f.Pid, ProcessPath = f.Path,
            Direction = f.Direction switch { 0 => "out", 1 => "in", _ => null }, Protocol = f.Protocol,
            LocalAddress = f.LocalAddress, LocalPort = (int?)f.LocalPort, RemoteAddress = f.RemoteAddress, RemotePort = (int?)f.RemotePort,
            StartTs = f.StartUs is { } s ? ExportRow.Utc(s) : null, EndTs = ExportRow.Utc(f.EndUs),
            PacketsIn = f.PacketsIn ?? 0, BytesIn = f.BytesIn ?? 0, PacketsOut = f.PacketsOut ?? 0, BytesOut = f.BytesOut ?? 0, SessionId = f.SessionId,
        }).ToList();
        var last = found.Count > 0 ? found[^1].Seq : watermark;
        return new Chunk(rows, found.Count, tx => SetWatermark(tx, "flows", target, last));
    }

    private Chunk NextRollups(string host, long sinceUs)
    {
        var found = connection.Query<(long StreamId, long Minute, long FlowId, long Pid, string Protocol, string LocalAddress, long LocalPort,
            string RemoteAddress, long RemotePort, long PacketsIn, long BytesIn, long PacketsOut, long BytesOut)>($"""
            SELECT m.stream_id, m.minute, s.flow_id, s.pid, {string.Format(System.Globalization.CultureInfo.InvariantCulture, ProtocolName, "s.protocol")},
                   s.local_address, s.local_port, s.remote_address, s.remote_port,
                   m.packets_in - m.exported_packets_in, m.bytes_in - m.exported_bytes_in,
                   m.packets_out - m.exported_packets_out, m.bytes_out - m.exported_bytes_out
            FROM packet_minute m JOIN packet_stream s ON s.stream_id = m.stream_id
            WHERE (m.packets_in <> m.exported_packets_in OR m.bytes_in <> m.exported_bytes_in
                   OR m.packets_out <> m.exported_packets_out OR m.bytes_out <> m.exported_bytes_out)
              AND m.minute >= @sinceMinute
            ORDER BY m.stream_id, m.minute
            LIMIT {ChunkRows}
            """, new { sinceMinute = sinceUs / 60_000_000 }).ToList();
        var rows = found.Select(r => (ExportRow)new RollupExportRow
        {
            Host = host, Minute = ExportRow.Utc(r.Minute * 60_000_000), FlowId = unchecked((ulong)r.FlowId), Pid = r.Pid, Protocol = r.Protocol,
            LocalAddress = r.LocalAddress, LocalPort = (int)r.LocalPort, RemoteAddress = r.RemoteAddress, RemotePort = (int)r.RemotePort,
            PacketsIn = r.PacketsIn, BytesIn = r.BytesIn, PacketsOut = r.PacketsOut, BytesOut = r.BytesOut,
        }).ToList();
        return new Chunk(rows, found.Count, tx =>
        {
            // Add what was read, not set what is there now: the collector may have added to a row since.
            tx.Connection!.Execute("""
                UPDATE packet_minute SET exported_packets_in = exported_packets_in + @PacketsIn, exported_bytes_in = exported_bytes_in + @BytesIn,
                       exported_packets_out = exported_packets_out + @PacketsOut, exported_bytes_out = exported_bytes_out + @BytesOut
                WHERE stream_id = @StreamId AND minute = @Minute
                """, found.Select(r => new { r.StreamId, r.Minute, r.PacketsIn, r.BytesIn, r.PacketsOut, r.BytesOut }), tx);
        });
    }

    /// <summary>Flows whose minutes one chunk exports: about four minutes a flow keeps a chunk near <see cref="ChunkRows"/> rows.</summary>
    private const int FlowsPerMinuteChunk = ChunkRows / 8;

    /// <summary>The flow_minute rows of the next ended flows, with their flow's identity.</summary>
    private Chunk NextFlowMinutes(long watermark, string host, long sinceUs, string target)
    {
        var flows = connection.Query<long>(
            $"SELECT ended_seq FROM flow WHERE ended_seq > @watermark ORDER BY ended_seq LIMIT {FlowsPerMinuteChunk}", new { watermark }).ToList();
        if (flows.Count == 0) return new Chunk([], 0, _ => { }) { Limit = FlowsPerMinuteChunk };
        var last = flows[^1];
        var found = connection.Query<(long Minute, long FlowId, long? Pid, string? Protocol, string? LocalAddress, long? LocalPort,
            string? RemoteAddress, long? RemotePort, long PacketsIn, long BytesIn, long PacketsOut, long BytesOut)>($"""
            SELECT m.minute, f.flow_id, f.pid, {string.Format(System.Globalization.CultureInfo.InvariantCulture, ProtocolName, "f.protocol")},
                   f.local_address, f.local_port, f.remote_address, f.remote_port, m.packets_in, m.bytes_in, m.packets_out, m.bytes_out
            FROM flow_row f INDEXED BY flow_by_ended_seq CROSS JOIN flow_minute m ON m.flow_key = f.flow_key
            WHERE f.ended_seq > @watermark AND f.ended_seq <= @last AND m.minute >= @sinceMinute
            ORDER BY f.ended_seq, m.minute
            """, new { watermark, last, sinceMinute = sinceUs / 60_000_000 }).ToList();
        var rows = found.Select(r => (ExportRow)new RollupExportRow
        {
            Host = host, Minute = ExportRow.Utc(r.Minute * 60_000_000), FlowId = unchecked((ulong)r.FlowId), Pid = r.Pid ?? 0, Protocol = r.Protocol,
            LocalAddress = r.LocalAddress, LocalPort = (int)(r.LocalPort ?? 0), RemoteAddress = r.RemoteAddress, RemotePort = (int)(r.RemotePort ?? 0),
            PacketsIn = r.PacketsIn, BytesIn = r.BytesIn, PacketsOut = r.PacketsOut, BytesOut = r.BytesOut,
        }).ToList();
        return new Chunk(rows, flows.Count, tx => SetWatermark(tx, "flow_minutes", target, last)) { Limit = FlowsPerMinuteChunk };
    }

    private Chunk NextPackets(long watermark, string host, long sinceUs, string target)
    {
        var found = connection.Query<(long RowId, long Ts, long FlowId, long Pid, long Direction, string Protocol, string LocalAddress, long LocalPort,
            string RemoteAddress, long RemotePort, long Bytes)>($"""
            SELECT p.rowid, p.ts_us, s.flow_id, s.pid, p.direction, {string.Format(System.Globalization.CultureInfo.InvariantCulture, ProtocolName, "s.protocol")},
                   s.local_address, s.local_port, s.remote_address, s.remote_port, p.bytes
            FROM packet p JOIN packet_stream s ON s.stream_id = p.stream_id
            WHERE p.rowid > @watermark
            ORDER BY p.rowid
            LIMIT {ChunkRows}
            """, new { watermark }).ToList();
        var rows = found.Where(p => p.Ts >= sinceUs).Select(p => (ExportRow)new PacketExportRow
        {
            Host = host, Ts = ExportRow.Utc(p.Ts), FlowId = unchecked((ulong)p.FlowId), Pid = p.Pid, Direction = p.Direction == 1 ? "in" : "out",
            Protocol = p.Protocol, LocalAddress = p.LocalAddress, LocalPort = (int)p.LocalPort, RemoteAddress = p.RemoteAddress,
            RemotePort = (int)p.RemotePort, Bytes = p.Bytes,
        }).ToList();
        var last = found.Count > 0 ? found[^1].RowId : watermark;
        return new Chunk(rows, found.Count, tx => SetWatermark(tx, "packets", target, last));
    }

    private Chunk NextSessions(long watermark, string host, string target)
    {
        // Finished sessions, in id order, stopping at the first one still running: its counters still change. A
        // 'running' session with a later one of the same source was a crashed run and goes as it is.
        var found = connection.Query<(long Id, long Started, long? Ended, string Source, string? Detail, string Status, long Received, long Written,
            long Dropped, long Lost, long Malformed, long Unknown, bool Finished)>("""
            SELECT s.session_id, s.started_ts_us, s.ended_ts_us, s.source, s.source_detail, s.status, s.events_received, s.events_written,
                   s.events_dropped, s.events_lost, s.events_malformed, s.events_unknown,
                   s.status <> 'running' OR EXISTS (SELECT 1 FROM collector_session n WHERE n.session_id > s.session_id AND n.source = s.source)
            FROM collector_session s WHERE s.session_id > @watermark ORDER BY s.session_id
            """, new { watermark }).TakeWhile(s => s.Finished).ToList();
        var rows = found.Select(s => (ExportRow)new SessionExportRow
        {
            Host = host, SessionId = s.Id, StartedTs = ExportRow.Utc(s.Started), EndedTs = s.Ended is { } e ? ExportRow.Utc(e) : null,
            Source = s.Source, SourceDetail = s.Detail, Status = s.Status, EventsReceived = s.Received, EventsWritten = s.Written,
            EventsDropped = s.Dropped, EventsLost = s.Lost, EventsMalformed = s.Malformed, EventsUnknown = s.Unknown,
        }).ToList();
        return new Chunk(rows, found.Count, tx => { if (found.Count > 0) SetWatermark(tx, "sessions", target, found[^1].Id); });
    }
}
