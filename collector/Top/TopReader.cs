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
    private const string StreamSums = """
        WITH newest AS (SELECT max(minute) AS m FROM packet_minute),
        sums AS (
            SELECT m.stream_id, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out, sum(m.packets_in + m.packets_out) AS packets
            FROM packet_minute m, newest WHERE m.minute >= newest.m - 1
            GROUP BY m.stream_id)
        """;

    private const string ProcessSql = StreamSums + """
        SELECT coalesce((SELECT nullif(f.process_path, '') FROM flow f WHERE s.flow_id <> 0 AND f.flow_id = s.flow_id LIMIT 1),
                        (SELECT p.image_path FROM process p WHERE p.pid = s.pid ORDER BY p.start_ts_us DESC LIMIT 1), '') AS Label,
               s.pid AS Pid, sum(x.bytes_in) AS BytesIn, sum(x.bytes_out) AS BytesOut, sum(x.packets) AS Packets
        FROM sums x JOIN packet_stream s ON s.stream_id = x.stream_id
        GROUP BY s.pid, Label
        """;

    private const string RemoteSql = StreamSums + """
        SELECT r.remote_address ||
               coalesce(' (' || (SELECT d.query_name FROM dns_answer d WHERE d.remote_id = r.remote_id ORDER BY d.ts_us DESC LIMIT 1) || ')', '') AS Label,
               NULL AS Pid, sum(x.bytes_in) AS BytesIn, sum(x.bytes_out) AS BytesOut, sum(x.packets) AS Packets
        FROM sums x JOIN packet_stream s ON s.stream_id = x.stream_id JOIN remote r ON r.remote_id = s.remote_id
        GROUP BY r.remote_id
        """;

    /// <summary>The current snapshot of the store at <paramref name="databasePath"/>.</summary>
    public static TopSnapshot Read(string databasePath)
    {
        using var connection = StoreDatabase.OpenReadOnly(databasePath);
        using var transaction = connection.BeginTransaction(); // one consistent view while a collector commits
        var newestMinute = connection.ExecuteScalar<long?>("SELECT max(minute) FROM packet_minute", transaction: transaction);
        if (newestMinute is null) return TopSnapshot.Empty;
        // The newest packet by insertion order: O(1) by rowid, where max(ts_us) would scan the table.
        // An import of an older recording appends packets older than the newest minute: then the window runs to that
        // minute's end.
        var minuteStartUs = newestMinute.Value * 60_000_000;
        var lastInsertedUs = connection.ExecuteScalar<long?>("SELECT ts_us FROM packet ORDER BY rowid DESC LIMIT 1", transaction: transaction);
        var newestUs = lastInsertedUs is { } t && t >= minuteStartUs && t < minuteStartUs + 60_000_000 ? t : minuteStartUs + 60_000_000;
        var startUs = (newestMinute.Value - 1) * 60_000_000;
        var processes = connection.Query<RowData>(ProcessSql, transaction: transaction).Select(r => r.ToRow()).ToList();
        var remotes = connection.Query<RowData>(RemoteSql, transaction: transaction).Select(r => r.ToRow()).ToList();
        return new TopSnapshot(startUs, Math.Max(newestUs, startUs + 1), processes, remotes);
    }

    // Dapper maps by property here: a NULL pid column has no type for constructor matching to go by.
    private sealed class RowData
    {
        public string? Label { get; set; }
        public long? Pid { get; set; }
        public long BytesIn { get; set; }
        public long BytesOut { get; set; }
        public long Packets { get; set; }

        public TopRow ToRow() => new(Label ?? "", Pid, BytesIn, BytesOut, Packets);
    }
}
