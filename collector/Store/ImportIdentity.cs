// A recording's identity: the SHA-256 of its content and its size. Imports record it with their session, so the
// same file is never imported twice by mistake (which doubles every answer), and an interrupted or failed import
// can be replaced: its rows, which all know their session, go in one transaction.
using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>A file's content identity.</summary>
public sealed record ImportIdentity(string Sha256, long Bytes)
{
    /// <summary>Hashes <paramref name="path"/> (one sequential read).</summary>
    public static ImportIdentity Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return new ImportIdentity(Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant(), stream.Length);
    }

    /// <summary>Earlier sessions that imported this content: id, status and start time (UTC microseconds).</summary>
    public IReadOnlyList<(long Id, string Status, long StartedUs)> EarlierSessions(SqliteConnection connection) =>
        connection.Query<(long, string, long)>(
            "SELECT session_id, status, started_ts_us FROM collector_session WHERE input_sha256 = @Sha256 AND input_bytes = @Bytes AND status <> @replaced ORDER BY session_id",
            new { Sha256, Bytes, replaced = SessionStatus.Replaced.Text() }).ToList();

    /// <summary>The replaced minutes (temp table replaced_usage) taken out of each usage rollup: minutes, hours and days.</summary>
    private static readonly string SubtractReplacedUsage = string.Join("\n", new[] { ("program_minute", "minute", 1), ("program_hour", "hour", 60), ("program_day", "day", 1440) }
        .Select(level => $"""
            INSERT INTO {level.Item1}({level.Item2}, program_id, packets_in, bytes_in, packets_out, bytes_out)
            SELECT r.minute / {level.Item3}, r.program_id, -sum(r.packets_in), -sum(r.bytes_in), -sum(r.packets_out), -sum(r.bytes_out)
            FROM replaced_usage r WHERE true GROUP BY 1, 2
            ON CONFLICT({level.Item2}, program_id) DO UPDATE SET
                {MinuteTotals.AddExcluded};
            DELETE FROM {level.Item1} WHERE packets_in = 0 AND bytes_in = 0 AND packets_out = 0 AND bytes_out = 0
              AND ({level.Item2}, program_id) IN (SELECT r.minute / {level.Item3}, r.program_id FROM replaced_usage r);
            """));

    /// <summary>
    /// Deletes every row one session wrote, in one transaction: its packets (their minutes lose what they added),
    /// flows, health events and DNS answers; the session row stays as 'replaced' (ids are never reused, which the
    /// export's watermark relies on). Remote first sightings and process rows are shared between sessions and stay.
    /// What the lake already has of those rows becomes an export correction (export_correction), which the next export
    /// sends negated, so the lake's sums stay the store's; minute rows the lake has keep their exported counts (at
    /// zero, they export as negative deltas), and the packets watermark steps back below the rowids SQLite will reuse.
    /// </summary>
    public static void DeleteSession(SqliteConnection connection, long sessionId)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        var packetsWatermark = connection.ExecuteScalar<long?>("SELECT last_key FROM export_watermark WHERE table_name = 'packets'", transaction: tx) ?? 0;
        connection.Execute($"""
            INSERT INTO export_correction(kind, ts_us, flow_id, flow_start_us, session_id, pid, process_path, direction, protocol,
                                          local_address, local_port, remote_address, remote_port, packets_in, bytes_in, packets_out, bytes_out)
            SELECT 'flows', coalesce(f.exported_until_us, f.start_ts_us, f.stats_ts_us, f.end_ts_us, 0), f.flow_id, f.start_ts_us, f.session_id, f.pid,
                   {Export.FlowSegments.PathOfFlow}, f.direction, f.protocol, f.local_address, f.local_port, f.remote_address, f.remote_port,
                   f.exported_packets_in, f.exported_bytes_in, f.exported_packets_out, f.exported_bytes_out
            FROM flow_row f WHERE f.session_id = @sessionId AND f.exported_until_us IS NOT NULL
              AND (f.exported_packets_in <> 0 OR f.exported_bytes_in <> 0 OR f.exported_packets_out <> 0 OR f.exported_bytes_out <> 0);
            INSERT INTO export_correction(kind, ts_us, flow_id, pid, protocol, local_address, local_port, remote_address, remote_port,
                                          packets_in, bytes_in, packets_out, bytes_out)
            SELECT 'packet_minutes', m.minute * 60000000, f.flow_id, f.pid, f.protocol, f.local_address, f.local_port, f.remote_address, f.remote_port,
                   m.exported_packets_in, m.exported_bytes_in, m.exported_packets_out, m.exported_bytes_out
            FROM flow_minute m JOIN flow_row f ON f.flow_key = m.flow_key
            WHERE f.session_id = @sessionId
              AND (m.exported_packets_in <> 0 OR m.exported_bytes_in <> 0 OR m.exported_packets_out <> 0 OR m.exported_bytes_out <> 0);
            INSERT INTO export_correction(kind, ts_us, flow_id, pid, direction, protocol, local_address, local_port, remote_address, remote_port,
                                          packets_in, bytes_in, packets_out, bytes_out)
            SELECT 'packets', p.ts_us, s.flow_id, s.pid, p.direction, s.protocol, s.local_address, s.local_port, s.remote_address, s.remote_port,
                   1, p.bytes, 0, 0
            FROM packet p JOIN packet_stream s ON s.stream_id = p.stream_id
            WHERE p.session_id = @sessionId AND p.rowid <= @packetsWatermark;
            """, new { sessionId, packetsWatermark }, tx);
        connection.Execute($$"""
            CREATE TEMP TABLE IF NOT EXISTS replaced_usage (minute INTEGER, program_id INTEGER, packets_in INTEGER, bytes_in INTEGER, packets_out INTEGER, bytes_out INTEGER);
            DELETE FROM replaced_usage;
            CREATE TEMP TABLE IF NOT EXISTS replaced_minute (stream_id INTEGER, minute INTEGER, packets_in INTEGER, bytes_in INTEGER, packets_out INTEGER, bytes_out INTEGER);
            DELETE FROM replaced_minute;
            INSERT INTO replaced_minute
            SELECT stream_id, ts_us / 60000000, sum(direction = 1), sum(CASE WHEN direction = 1 THEN bytes ELSE 0 END),
                   sum(direction = 0), sum(CASE WHEN direction = 0 THEN bytes ELSE 0 END)
            FROM packet WHERE session_id = @sessionId GROUP BY stream_id, ts_us / 60000000;
            INSERT INTO replaced_usage
            SELECT r.minute, p.program_id, sum(r.packets_in), sum(r.bytes_in), sum(r.packets_out), sum(r.bytes_out)
            FROM replaced_minute r JOIN stream_program sp ON sp.stream_id = r.stream_id
                 JOIN program p ON p.path = sp.path AND p.pid = CASE WHEN sp.path = '' THEN sp.pid ELSE 0 END
            GROUP BY r.minute, p.program_id;
            UPDATE packet_minute SET
                packets_in = packets_in - (SELECT r.packets_in FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute),
                bytes_in = bytes_in - (SELECT r.bytes_in FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute),
                packets_out = packets_out - (SELECT r.packets_out FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute),
                bytes_out = bytes_out - (SELECT r.bytes_out FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute)
            WHERE (stream_id, minute) IN (SELECT stream_id, minute FROM replaced_minute);
            DELETE FROM packet_minute WHERE packets_in = 0 AND packets_out = 0 AND (stream_id, minute) IN (SELECT stream_id, minute FROM replaced_minute)
              AND exported_packets_in = 0 AND exported_bytes_in = 0 AND exported_packets_out = 0 AND exported_bytes_out = 0;
            DELETE FROM packet WHERE session_id = @sessionId;
            -- New packets take rowids above the largest left: every row at or below it was sent, so the watermark may be no higher.
            UPDATE export_watermark SET last_key = min(last_key, (SELECT coalesce(max(rowid), 0) FROM packet)) WHERE table_name = 'packets';
            -- The replaced flows' minutes leave the programs' usage (retention's deletes do not: usage outlives flows).
            INSERT INTO replaced_usage
            SELECT m.minute, p.program_id, sum(m.packets_in), sum(m.bytes_in), sum(m.packets_out), sum(m.bytes_out)
            FROM flow_row f JOIN flow_minute m ON m.flow_key = f.flow_key JOIN flow_program fp ON fp.flow_key = f.flow_key
                 JOIN program p ON p.path = fp.path AND p.pid = CASE WHEN fp.path = '' THEN fp.pid ELSE 0 END
            WHERE f.session_id = @sessionId
            GROUP BY m.minute, p.program_id;
            {{SubtractReplacedUsage}}
            DELETE FROM flow_row WHERE session_id = @sessionId;
            DELETE FROM health_event WHERE session_id = @sessionId;
            DELETE FROM dns_answer WHERE session_id = @sessionId;
            UPDATE collector_session SET status = @replaced WHERE session_id = @sessionId;
            """, new { sessionId, replaced = SessionStatus.Replaced.Text() }, tx);
        tx.Commit();
    }
}
