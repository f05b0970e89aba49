// The collector_session rows: one per run, opened at start and closed with the final counters.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Store;

/// <summary>Creates and finishes collector_session rows.</summary>
public static class SessionStore
{
    /// <summary>Inserts a running session and returns its id.</summary>
    public static long Begin(SqliteConnection connection, string source, string? detail, DateTimeOffset startedUtc, ImportIdentity? input = null) =>
        connection.ExecuteScalar<long>("""
            INSERT INTO collector_session(started_ts_us, source, source_detail, host_name, collector_version, input_sha256, input_bytes)
            VALUES (@started, @source, @detail, @host, @version, @sha, @bytes)
            RETURNING session_id
            """,
            new
            {
                started = ToUnixUs(startedUtc),
                source,
                detail,
                host = Environment.MachineName,
                version = typeof(SessionStore).Assembly.GetName().Version?.ToString(3),
                sha = input?.Sha256,
                bytes = input?.Bytes,
            });

    /// <summary>Stores the final counters and status.</summary>
    public static void Finish(SqliteConnection connection, long sessionId, string status, CounterSnapshot c, DateTimeOffset endedUtc, long? bytesSkipped = null) =>
        connection.Execute("""
            UPDATE collector_session
            SET ended_ts_us = @ended, status = @status, events_received = @Received, events_written = @Written,
                events_dropped = @Dropped, events_lost = @Lost, events_malformed = @Malformed, events_unknown = @Unknown,
                input_bytes_skipped = @bytesSkipped
            WHERE session_id = @sessionId
            """,
            new { ended = ToUnixUs(endedUtc), status, c.Received, c.Written, c.Dropped, c.Lost, c.Malformed, c.Unknown, sessionId, bytesSkipped });

    /// <summary>UTC microseconds since the Unix epoch.</summary>
    public static long ToUnixUs(DateTimeOffset t) => (t.UtcDateTime - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
}
