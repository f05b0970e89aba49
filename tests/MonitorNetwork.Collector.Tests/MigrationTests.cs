// Stores written by an older collector open in this one: the migration keeps what every flow said.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class MigrationTests
{
    /// <summary>A store as schema version <paramref name="version"/> left it, filled by <paramref name="fill"/>.</summary>
    private static void CreateAtVersion(string path, int version, string fill)
    {
        using (var c = new SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            c.Execute("PRAGMA foreign_keys=OFF"); // as the store runs (StoreDatabase); these rows name no session
            foreach (var m in Migrations.All.Take(version)) c.Execute(m.Sql);
            c.Execute($"PRAGMA application_id={Migrations.ApplicationId}; PRAGMA user_version={version};");
            c.Execute(fill);
        }
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void Version9Flows_KeepTheirPaths_WithEachPathStoredOnce()
    {
        using var dir = new TempDirectory();
        var path = dir.File("v9.db");
        CreateAtVersion(path, 9, """
            INSERT INTO flow(flow_id, session_id, pid, process_path, process_path_raw, start_ts_us) VALUES
                (1, 1, 10, 'C:\App\a.exe', NULL, 100),
                (2, 1, 10, 'C:\App\a.exe', NULL, 200),
                (3, 1, 11, 'C:\App\a.exe', '\device\harddiskvolume3\app\a.exe', 300),
                (4, 1, NULL, NULL, NULL, NULL),
                (5, 1, 12, '', NULL, 500);
            """);
        using var c = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1));
        Assert.Equal(Migrations.Latest, c.ExecuteScalar<int>("PRAGMA user_version"));
        Assert.Equal(
            [(1L, (string?)@"C:\App\a.exe", (string?)null), (2L, @"C:\App\a.exe", null), (3L, @"C:\App\a.exe", @"\device\harddiskvolume3\app\a.exe"), (4L, null, null), (5L, "", null)],
            c.Query<(long, string?, string?)>("SELECT flow_id, process_path, process_path_raw FROM flow ORDER BY flow_id"));
        Assert.Equal(3, c.ExecuteScalar<long>("SELECT count(*) FROM image"));
        Assert.Equal(@"C:\App\a.exe", c.ExecuteScalar<string>("SELECT process_path FROM flows WHERE flow_id = '3'"));
        // The indexes and the flow_minute trigger followed the table.
        Assert.Equal(["flow_by_ended_seq", "flow_by_flow_id", "flow_by_remote", "flow_by_time", "flow_export_todo", "flow_open_by_flow_id"],
            c.Query<string>("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'flow_row' AND sql IS NOT NULL ORDER BY name"));
        Assert.Equal("flow_row", c.ExecuteScalar<string>("SELECT tbl_name FROM sqlite_schema WHERE name = 'flow_minute_follows_flow'"));
    }

    [Fact]
    public void Version8FlowRecordRollups_StillCount_AfterFlowMinuteArrived()
    {
        // 0008 put flow records' increases on a stream per flow in packet_minute; 0009 reads both rollups.
        using var dir = new TempDirectory();
        var path = dir.File("v8.db");
        CreateAtVersion(path, 8, """
            INSERT INTO flow(flow_key, flow_id, session_id, pid, process_path, direction, protocol, local_address, local_port, remote_address, remote_port, remote_id, start_ts_us, stats_ts_us, stats_bytes_in)
                VALUES (1, 7, 1, 10, 'C:\App\a.exe', 0, 6, '10.0.0.5', 50000, '198.51.100.7', 443, 1, 1767225630000000, 1767225661000000, 5000);
            INSERT INTO remote(remote_id, remote_address, first_ts_us) VALUES (1, '198.51.100.7', 1767225630000000);
            INSERT INTO packet_stream(stream_id, flow_id, pid, protocol, local_address, local_port, remote_address, remote_port, remote_id)
                VALUES (1, 7, 10, 6, '10.0.0.5', 50000, '198.51.100.7', 443, 1);
            INSERT INTO packet_minute(stream_id, minute, packets_in, bytes_in, packets_out, bytes_out) VALUES (1, 29453760, 5, 5000, 0, 0);
            """);
        using (StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1))) { }
        SqliteConnection.ClearAllPools();
        var q = MonitorNetwork.Collector.Queries.QueryCatalog.Find("top-processes")!;
        var rows = MonitorNetwork.Collector.Queries.QueryExecutor.Run(path, q, MonitorNetwork.Collector.Queries.ParameterBinder.Bind(q, [], DateTimeOffset.UtcNow)).Rows;
        Assert.Equal([@"10|C:\App\a.exe|1|5|5000|0"], rows.Select(r => string.Join("|", r)));
    }
}
