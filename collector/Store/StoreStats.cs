// The numbers behind `monitornetwork stats`, read from rollups and indexes so they stay fast on large stores.
using Dapper;
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>A one-screen summary of a database.</summary>
public sealed record StoreSummary(
    string Path, long SizeBytes, int SchemaVersion,
    long? FirstUs, long? LastUs,
    long Flows, long OpenFlows, long Packets, long PacketBytes, long Streams, long RemoteAddresses,
    long Sessions, string? LastSessionStatus, long Received, long Written, long Dropped, long Lost, long Malformed, long Unknown)
{
    /// <summary>The newest session ran without the driver although its service is installed (a DriverMissing row).</summary>
    public bool DriverMissingInLastSession { get; init; }

    /// <summary>Whole ETW buffers the sessions reported undelivered: events lost in a number nobody knows.</summary>
    public long BuffersLost { get; init; }

    /// <summary>What the unknown events were ("provider name (id N)"), the most frequent first.</summary>
    public IReadOnlyList<UnknownKind> UnknownKinds { get; init; } = [];

    /// <summary>The line stats and service status print when <see cref="DriverMissingInLastSession"/>.</summary>
    public const string DriverMissingLine =
        "the driver is installed but was not running in the last session: it collected through Windows' Kernel-Network provider instead (no per-flow bytes from the driver); start it with sc.exe start MonitorNetworkDriver, and see service status";
}

/// <summary>A kind of event no decoder knew, and how many of it the sessions counted.</summary>
public sealed record UnknownKind
{
    /// <summary>"provider name (id N)".</summary>
    public string Kind { get; init; } = "";

    /// <summary>How many. (Properties, not a positional record: an empty result has no column type for Dapper to match a constructor by.)</summary>
    public long Events { get; init; }
}

/// <summary>One collector session's counters.</summary>
public sealed record SessionCounters(long Id, string Source, string Status, long Received, long Written, long Dropped, long Lost, long Malformed, long Unknown);

/// <summary>Reads <see cref="StoreSummary"/>.</summary>
public static class StoreStats
{
    /// <summary>Summarises the database at <paramref name="path"/> through an open read-only connection.</summary>
    public static StoreSummary Read(SqliteConnection connection, string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var size = new[] { full, full + "-wal", full + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        // Exact to the microsecond: flow times, and the packets' own (a scan of the packet table: about half a second per
        // 10 million packets, paid only by stats). Minute rollups would round to the minute.
        var range = connection.QuerySingle<(long? First, long? Last)>("""
            SELECT min(t), max(t) FROM (
                SELECT min(coalesce(start_ts_us, end_ts_us)) AS t FROM flow
                UNION ALL SELECT max(coalesce(end_ts_us, start_ts_us)) FROM flow
                UNION ALL SELECT min(ts_us) FROM packet
                UNION ALL SELECT max(ts_us) FROM packet)
            """);
        var flows = connection.QuerySingle<(long Flows, long Open)>("SELECT count(*), count(*) - count(end_ts_us) FROM flow");
        var packets = connection.QuerySingle<(long? Packets, long? Bytes)>(
            """
            SELECT sum(packets_in + packets_out), sum(bytes_in + bytes_out) FROM minute_traffic
            """);
        var sessions = connection.QuerySingle<(long Count, long? Received, long? Written, long? Dropped, long? Lost, long? Malformed, long? Unknown)>("""
            SELECT count(*), sum(events_received), sum(events_written), sum(events_dropped), sum(events_lost),
                   sum(events_malformed), sum(events_unknown) FROM collector_session
            """);
        return new StoreSummary(
            full, size, connection.ExecuteScalar<int>("PRAGMA user_version"),
            range.First, range.Last,
            flows.Flows, flows.Open, packets.Packets ?? 0, packets.Bytes ?? 0,
            connection.ExecuteScalar<long>("SELECT count(*) FROM packet_stream"),
            connection.ExecuteScalar<long>("SELECT count(*) FROM remote"),
            sessions.Count, connection.ExecuteScalar<string?>("SELECT status FROM collector_session ORDER BY session_id DESC LIMIT 1"),
            sessions.Received ?? 0, sessions.Written ?? 0, sessions.Dropped ?? 0, sessions.Lost ?? 0, sessions.Malformed ?? 0, sessions.Unknown ?? 0)
        {
            BuffersLost = connection.ExecuteScalar<long>("SELECT coalesce(sum(buffers_lost), 0) FROM collector_session"),
            UnknownKinds = connection.Query<UnknownKind>(
                "SELECT kind AS Kind, sum(events) AS Events FROM unknown_event GROUP BY kind ORDER BY sum(events) DESC, kind").AsList(),
            DriverMissingInLastSession = connection.ExecuteScalar<long>(
                "SELECT EXISTS (SELECT 1 FROM health_event WHERE event_name = @name AND session_id = (SELECT max(session_id) FROM collector_session))",
                new { name = Sources.EtwRealTimeSource.DriverMissingEvent }) != 0,
        };
    }

    /// <summary>The newest session's counters, or null when there is none.</summary>
    public static SessionCounters? LastSession(SqliteConnection connection) => connection.QuerySingleOrDefault<SessionCounters>("""
        SELECT session_id AS Id, source AS Source, status AS Status, events_received AS Received, events_written AS Written,
               events_dropped AS Dropped, events_lost AS Lost, events_malformed AS Malformed, events_unknown AS Unknown
        FROM collector_session ORDER BY session_id DESC LIMIT 1
        """);
}
