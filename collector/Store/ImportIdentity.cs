// A recording's identity: the SHA-256 of its content and its size. Imports record it with their session, so the
// same file is never imported twice by mistake (which doubles every answer), and an interrupted or failed import
// can be replaced: its rows, which all know their session, go in one transaction.
using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;

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
            "SELECT session_id, status, started_ts_us FROM collector_session WHERE input_sha256 = @Sha256 AND input_bytes = @Bytes AND status <> 'replaced' ORDER BY session_id",
            this).ToList();

    /// <summary>
    /// Deletes every row one session wrote, in one transaction: its packets (their minutes lose what they added),
    /// flows, health events and DNS answers; the session row stays as 'replaced' (ids are never reused, which the
    /// export's watermark relies on). Remote first sightings and process rows are shared between sessions and stay.
    /// </summary>
    public static void DeleteSession(SqliteConnection connection, long sessionId)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("""
            CREATE TEMP TABLE IF NOT EXISTS replaced_minute (stream_id INTEGER, minute INTEGER, packets_in INTEGER, bytes_in INTEGER, packets_out INTEGER, bytes_out INTEGER);
            DELETE FROM replaced_minute;
            INSERT INTO replaced_minute
            SELECT stream_id, ts_us / 60000000, sum(direction = 1), sum(CASE WHEN direction = 1 THEN bytes ELSE 0 END),
                   sum(direction = 0), sum(CASE WHEN direction = 0 THEN bytes ELSE 0 END)
            FROM packet WHERE session_id = @sessionId GROUP BY stream_id, ts_us / 60000000;
            UPDATE packet_minute SET
                packets_in = packets_in - (SELECT r.packets_in FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute),
                bytes_in = bytes_in - (SELECT r.bytes_in FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute),
                packets_out = packets_out - (SELECT r.packets_out FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute),
                bytes_out = bytes_out - (SELECT r.bytes_out FROM replaced_minute r WHERE r.stream_id = packet_minute.stream_id AND r.minute = packet_minute.minute)
            WHERE (stream_id, minute) IN (SELECT stream_id, minute FROM replaced_minute);
            DELETE FROM packet_minute WHERE packets_in = 0 AND packets_out = 0 AND (stream_id, minute) IN (SELECT stream_id, minute FROM replaced_minute);
            DELETE FROM packet WHERE session_id = @sessionId;
            DELETE FROM flow_row WHERE session_id = @sessionId;
            DELETE FROM health_event WHERE session_id = @sessionId;
            DELETE FROM dns_answer WHERE session_id = @sessionId;
            UPDATE collector_session SET status = 'replaced' WHERE session_id = @sessionId;
            """, new { sessionId }, tx);
        tx.Commit();
    }
}
