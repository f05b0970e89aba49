// Reads the live view's numbers from the minute rollup, which the collector keeps in the same transaction as
// the packets: the packet table has no time index, and a scan of it per refresh would cost seconds on a day's store.
// The window is the newest minute with traffic and the one before it, ending at the newest packet, so rates are
// bytes over the seconds actually covered. It is the newest data, not the wall clock: a store being imported
// from an older recording shows its traffic too, and the header says which minutes these are.
using Dapper;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Top;

/// <summary>Reads <see cref="TopSnapshot"/>s from a store.</summary>
public static class TopReader
{
    // Rows of the window from the accounting views (schema/migrations/0016_accounting.sql): packets' minutes per
    // stream, flow records' minutes per flow. Records' minutes are found through their flows, the open ones and those
    // ended since @endedFloor (record_traffic_minute is keyed by flow, with no index by minute).
    private const string WindowSums = """
        WITH recent AS (
            SELECT flow_key FROM flow_row INDEXED BY flow_open_by_flow_id WHERE end_ts_us IS NULL
            UNION
            SELECT flow_key FROM flow_row INDEXED BY flow_by_ended_seq WHERE ended_seq >= @endedFloor),
        parts AS (
            SELECT x.flow_id, x.pid, x.remote_id, sum(x.bytes_in) AS bytes_in, sum(x.bytes_out) AS bytes_out, sum(x.packets_in + x.packets_out) AS packets
            FROM packet_traffic_minute x WHERE x.minute >= @newest - 1
            GROUP BY x.stream_id
            UNION ALL
            SELECT x.flow_id, x.pid, x.remote_id, sum(x.bytes_in), sum(x.bytes_out), sum(x.packets_in + x.packets_out)
            FROM recent r CROSS JOIN record_traffic_minute x ON x.flow_key = r.flow_key
            WHERE x.minute >= @newest - 1
            GROUP BY x.flow_key)
        """;

    private const string ProcessSql = WindowSums + """
        SELECT coalesce((SELECT nullif(f.process_path, '') FROM flow f WHERE x.flow_id <> 0 AND f.flow_id = x.flow_id LIMIT 1),
                        (SELECT p.image_path FROM process p WHERE p.pid = x.pid ORDER BY p.start_ts_us DESC LIMIT 1), '') AS Label,
               x.pid AS Pid, sum(x.bytes_in) AS BytesIn, sum(x.bytes_out) AS BytesOut, sum(x.packets) AS Packets,
               count(DISTINCT nullif(x.flow_id, 0)) AS Flows
        FROM parts x
        GROUP BY x.pid, Label
        """;

    private const string RemoteSql = WindowSums + """
        SELECT r.remote_address ||
               coalesce(' (' || (SELECT d.query_name FROM dns_answer d WHERE d.remote_id = r.remote_id ORDER BY d.ts_us DESC LIMIT 1) || ')', '') AS Label,
               NULL AS Pid, sum(x.bytes_in) AS BytesIn, sum(x.bytes_out) AS BytesOut, sum(x.packets) AS Packets,
               count(DISTINCT nullif(x.flow_id, 0)) AS Flows
        FROM parts x JOIN remote r ON r.remote_id = x.remote_id
        GROUP BY r.remote_id
        """;

    /// <summary>The current snapshot of the store at <paramref name="databasePath"/>.</summary>
    public static TopSnapshot Read(string databasePath)
    {
        using var connection = StoreDatabase.OpenReadOnly(databasePath);
        using var transaction = connection.BeginTransaction(); // one consistent view while a collector commits
        var newestMinute = connection.ExecuteScalar<long?>(
            "SELECT minute FROM newest_traffic_minute", transaction: transaction);
        if (newestMinute is null) return TopSnapshot.Empty;
        // The newest packet by insertion order: O(1) by rowid, where max(ts_us) would scan the table.
        // An import of an older recording appends packets older than the newest minute: then the window runs to that
        // minute's end.
        var minuteStartUs = newestMinute.Value * 60_000_000;
        var lastInsertedUs = connection.ExecuteScalar<long?>("SELECT ts_us FROM packet ORDER BY rowid DESC LIMIT 1", transaction: transaction);
        var newestUs = lastInsertedUs is { } t && t >= minuteStartUs && t < minuteStartUs + 60_000_000 ? t : minuteStartUs + 60_000_000;
        var startUs = (newestMinute.Value - 1) * 60_000_000;
        var window = new { newest = newestMinute.Value, endedFloor = EndedFloor(connection, transaction, startUs) };
        var processes = connection.Query<RowData>(ProcessSql, window, transaction).Select(r => r.ToRow()).ToList();
        var remotes = connection.Query<RowData>(RemoteSql, window, transaction).Select(r => r.ToRow()).ToList();
        return new TopSnapshot(startUs, Math.Max(newestUs, startUs + 1), processes, remotes);
    }

    /// <summary>
    /// The oldest ended_seq of the flows that ended in the window: walked newest first, stopping at the first flow
    /// that ended before it. A flow's minutes end with it, and flows end in ended_seq order as they arrive (live) or
    /// as a recording has them (import), so the flows walked past are the ones whose minutes can be in the window.
    /// </summary>
    private static long EndedFloor(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, long startUs)
    {
        var floor = long.MaxValue;
        using var reader = connection.ExecuteReader(
            "SELECT ended_seq, end_ts_us FROM flow_row INDEXED BY flow_by_ended_seq WHERE ended_seq IS NOT NULL ORDER BY ended_seq DESC", transaction: transaction);
        while (reader.Read() && reader.GetInt64(1) >= startUs) floor = reader.GetInt64(0);
        return floor;
    }

    // Dapper maps by property here: a NULL pid column has no type for constructor matching to go by.
    private sealed class RowData
    {
        public string? Label { get; set; }
        public long? Pid { get; set; }
        public long BytesIn { get; set; }
        public long BytesOut { get; set; }
        public long Packets { get; set; }
        public long Flows { get; set; }

        public TopRow ToRow() => new(Label ?? "", Pid, BytesIn, BytesOut, Packets, Flows);
    }
}
