// The collector_session rows: one per run, opened at start and closed with the final counters.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Store;

/// <summary>Creates and finishes collector_session rows.</summary>
public static class SessionStore
{
    /// <summary>
    /// Inserts a running session and returns its id. With <paramref name="exclusiveInput"/>, a recording that a session
    /// already holds (or is importing right now, in another process) is refused in the same statement that would
    /// insert it, so two imports of one file at the same moment store it once.
    /// </summary>
    public static long Begin(SqliteConnection connection, string source, string? detail, DateTimeOffset startedUtc, ImportIdentity? input = null, bool exclusiveInput = false) =>
        connection.ExecuteScalar<long?>("""
            INSERT INTO collector_session(started_ts_us, source, source_detail, host_name, collector_version, input_sha256, input_bytes)
            SELECT @started, @source, @detail, @host, @version, @sha, @bytes
            WHERE NOT (@exclusive AND @sha IS NOT NULL AND EXISTS (
                SELECT 1 FROM collector_session WHERE input_sha256 = @sha AND input_bytes = @bytes AND status <> @replaced))
            RETURNING session_id
            """,
            new
            {
                started = Events.UnixMicros.From(startedUtc),
                source,
                detail,
                host = Environment.MachineName,
                version = typeof(SessionStore).Assembly.GetName().Version?.ToString(3),
                sha = input?.Sha256,
                bytes = input?.Bytes,
                exclusive = exclusiveInput,
                replaced = Events.SessionStatus.Replaced.Text(),
            }) ?? throw new Failures.MonitorNetworkException(Failures.FailureKind.AlreadyImported,
                $"{detail} is in the store already, or another import of it is running now: --replace imports it in place of that session, --again imports it once more");

    /// <summary>Stores the final counters and status.</summary>
    public static void Finish(SqliteConnection connection, long sessionId, Events.SessionStatus status, CounterSnapshot c, DateTimeOffset endedUtc, long? bytesSkipped = null,
        IReadOnlyDictionary<string, long>? unknownKinds = null)
    {
        using var tx = connection.BeginTransaction();
        connection.Execute("INSERT OR REPLACE INTO unknown_event(session_id, kind, events) VALUES (@sessionId, @Key, @Value)",
            (unknownKinds ?? new Dictionary<string, long>()).Select(k => new { sessionId, k.Key, k.Value }), tx);
        connection.Execute("""
            UPDATE collector_session
            SET ended_ts_us = @ended, status = @status, events_received = @Received, events_written = @Written,
                events_dropped = @Dropped, events_lost = @Lost, events_malformed = @Malformed, events_unknown = @Unknown,
                buffers_lost = @BuffersLost, input_bytes_skipped = @bytesSkipped
            WHERE session_id = @sessionId
            """,
            new { ended = Events.UnixMicros.From(endedUtc), status = status.Text(), c.Received, c.Written, c.Dropped, c.Lost, c.Malformed, c.Unknown, c.BuffersLost, sessionId, bytesSkipped }, tx);
        tx.Commit();
    }

}
