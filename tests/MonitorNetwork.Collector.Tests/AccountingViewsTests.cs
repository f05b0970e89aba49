// Traffic accounting is defined once, in schema/migrations/0016_accounting.sql, and every reader of traffic totals
// reads it (issue 28). A small store with each kind of traffic (an ended flow whose totals exceed its packets, an open
// flow with packets, an open flow with flow records only, packets of a flow the store never saw) and, worked out by
// hand below, what each view and each reader must say: the named queries, top, stats and the export's segments.
using System.Net;
using Dapper;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Top;

namespace MonitorNetwork.Collector.Tests;

public sealed class AccountingViewsTests : IDisposable
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z, minute M0
    private const long M0 = T0 / 60_000_000;
    private readonly TempDirectory _dir = new();
    private string Db => _dir.File("accounting.db");

    private static readonly NetAddress Local = NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.5"));
    private static readonly NetAddress RemoteA = NetAddress.FromIPAddress(IPAddress.Parse("203.0.113.1"));
    private static readonly NetAddress RemoteB = NetAddress.FromIPAddress(IPAddress.Parse("203.0.113.2"));
    private static readonly NetAddress RemoteC = NetAddress.FromIPAddress(IPAddress.Parse("2606:4700::1"));
    private static readonly NetAddress RemoteX = NetAddress.FromIPAddress(IPAddress.Parse("198.51.100.7"));

    // Flow A (pid 100): ended; packets out 1000 (M0) and in 500 (M0+1); FlowDeleted says in 1/700, out 1/1000.
    // Flow B (pid 200): open; packets out 300 (M0) and in 200 (M0+2).
    // Flow C (pid 300): open, flow records only: counters 2/2000 in, 1/100 out at +100 s; 3/3000 in at +190 s. Each
    //   increase belongs to the minute of the record before it: 2000 in and 100 out to M0 (FlowEstablished at +50 s),
    //   1000 in to M0+1 (the record at +100 s).
    // Flow 0x99 (pid 400): never seen; one packet out 50 (M0+2).
    private static IEnumerable<MonitorEvent> Traffic()
    {
        var c = new FlowIdentity(300, FlowDirection.Outbound, 6, Local, 50003, RemoteC, 443);
        yield return new FlowEstablishedEvent(T0 + 10_000_000, 0xA, 100, FlowDirection.Outbound, 6, Local, 50001, RemoteA, 443, @"C:\Apps\browser.exe");
        yield return new PacketEvent(T0 + 20_000_000, 0xA, 100, FlowDirection.Outbound, 6, Local, 50001, RemoteA, 443, 1000);
        yield return new FlowEstablishedEvent(T0 + 30_000_000, 0xB, 200, FlowDirection.Outbound, 6, Local, 50002, RemoteB, 443, @"C:\Apps\agent.exe");
        yield return new PacketEvent(T0 + 40_000_000, 0xB, 200, FlowDirection.Outbound, 6, Local, 50002, RemoteB, 443, 300);
        yield return new FlowEstablishedEvent(T0 + 50_000_000, 0xC, 300, FlowDirection.Outbound, 6, Local, 50003, RemoteC, 443, @"C:\Apps\updater.exe");
        yield return new PacketEvent(T0 + 70_000_000, 0xA, 100, FlowDirection.Inbound, 6, Local, 50001, RemoteA, 443, 500);
        yield return new FlowDeletedEvent(T0 + 80_000_000, 0xA, 1, 700, 1, 1000);
        yield return new FlowStatsEvent(T0 + 100_000_000, 0xC, c, 2, 2000, 1, 100);
        yield return new PacketEvent(T0 + 130_000_000, 0xB, 200, FlowDirection.Inbound, 6, Local, 50002, RemoteB, 443, 200);
        yield return new PacketEvent(T0 + 140_000_000, 0x99, 400, FlowDirection.Outbound, 17, Local, 50004, RemoteX, 53, 50);
        yield return new FlowStatsEvent(T0 + 190_000_000, 0xC, c, 3, 3000, 1, 100);
    }

    public AccountingViewsTests()
    {
        using var connection = StoreDatabase.OpenForWriting(Db, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(connection, "nettrace", "accounting.nettrace", DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1000));
        using var writer = new SqliteEventWriter(connection, session);
        foreach (var e in Traffic()) writer.WriteBatch([e], new CounterSnapshot(0, 0, 0, 0, 0, 0));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FlowTraffic_EndedFlowsByTheirTotals_OpenFlowsByEveryMinuteSoFar()
    {
        using var c = StoreAssert.Open(Db);
        var flows = c.Query<(long FlowId, long Ended, long Pin, long Bin, long Pout, long Bout)>(
            "SELECT flow_id, ended, packets_in, bytes_in, packets_out, bytes_out FROM flow_traffic ORDER BY flow_id").ToList();
        Assert.Equal([(0xA, 1, 1, 700, 1, 1000), (0xB, 0, 1, 200, 1, 300), (0xC, 0, 3, 3000, 1, 100)], flows);
    }

    [Fact]
    public void MinuteTraffic_BothRollups_EveryByteInOneMinute()
    {
        using var c = StoreAssert.Open(Db);
        var minutes = c.Query<(long Minute, long Packets, long Bin, long Bout)>(
            "SELECT minute, sum(packets_in + packets_out), sum(bytes_in), sum(bytes_out) FROM minute_traffic GROUP BY minute ORDER BY minute").ToList();
        Assert.Equal([(M0, 5, 2000, 1400), (M0 + 1, 2, 1500, 0), (M0 + 2, 2, 200, 50)], minutes);
        // traffic_minute is the same traffic, per flow: both views sum to the same.
        var perFlow = c.QuerySingle<(long Bin, long Bout)>("SELECT sum(bytes_in), sum(bytes_out) FROM traffic_minute");
        Assert.Equal((3700L, 1450L), perFlow);
        Assert.Equal([(0x99L, 400L, 50L)], c.Query<(long, long, long)>("SELECT flow_id, pid, bytes_out FROM flowless_traffic_minute").ToList());
    }

    [Fact]
    public void NamedQueries_CountWhatTheViewsCount()
    {
        Assert.Equal([("300", "3000", "100", "1"), ("100", "700", "1000", "1"), ("200", "200", "300", "1"), ("400", "0", "50", "0")],
            Rows("top-processes", "pid", "bytes_in", "bytes_out", "flows"));
        Assert.Equal([("2606:4700::1", "3000", "100", "1"), ("203.0.113.1", "700", "1000", "1"), ("203.0.113.2", "200", "300", "1"), ("198.51.100.7", "0", "50", "0")],
            Rows("top-remotes", "remote_address", "bytes_in", "bytes_out", "flows"));
        Assert.Equal([("2606:4700::1", "3000", "100", "1"), ("203.0.113.1", "700", "1000", "1"), ("203.0.113.2", "200", "300", "1")],
            Rows("top-hosts", "host", "bytes_in", "bytes_out", "flows"));
        Assert.Equal([("12", "3000", "100", "_"), ("11", "200", "300", "_"), ("10", "700", "1000", "_")],
            Rows("flows", "flow_id", "bytes_in", "bytes_out", "flow_id").Select(r => (r.Item1, r.Item2, r.Item3, "_")).ToList());
        Assert.Equal([("2026-01-01T00:00:00Z", "5", "2000", "1400"), ("2026-01-01T00:01:00Z", "2", "1500", "0"), ("2026-01-01T00:02:00Z", "2", "200", "50")],
            Rows("timeline", "bucket_start", "packets", "bytes_in", "bytes_out"));
    }

    [Fact]
    public void AWindow_CountsFlowsThatBeganInIt_Whole_AndFlowlessPacketsByTheirMinute()
    {
        // Until +40 s: flows A and B began in it and count whole, B's later minute too (it is the same flow, and an
        // ended flow's totals count whole as well); C began after it; the flowless packet is at +140 s.
        var until = "until=" + UnixMicros.Format(T0 + 40_000_000, "o");
        Assert.Equal([("100", "700", "1000", "1"), ("200", "200", "300", "1")], Rows("top-processes", ["pid", "bytes_in", "bytes_out", "flows"], until));
        // Since +60 s: no flow began in it; the flowless packet's minute is in it.
        var since = "since=" + UnixMicros.Format(T0 + 60_000_000, "o");
        Assert.Equal([("400", "0", "50", "0")], Rows("top-processes", ["pid", "bytes_in", "bytes_out", "flows"], since));
        Assert.Equal([("198.51.100.7", "0", "50", "0")], Rows("top-remotes", ["remote_address", "bytes_in", "bytes_out", "flows"], since));
    }

    [Fact]
    public async Task Top_Stats_AndExportSegments_ReadTheSameAccounting()
    {
        // top: the newest minute with traffic (M0+2) and the one before it.
        var top = TopReader.Read(Db);
        Assert.Equal((M0 + 1) * 60_000_000, top.WindowStartUs);
        var processes = top.Processes.OrderBy(r => r.Pid).Select(r => (r.Pid, r.BytesIn, r.BytesOut, r.Packets)).ToList();
        Assert.Equal([(100L, 500L, 0L, 1L), (200L, 200L, 0L, 1L), (300L, 1000L, 0L, 1L), (400L, 0L, 50L, 1L)], processes);

        using var c = StoreAssert.Open(Db);
        var stats = StoreStats.Read(c, Db);
        Assert.Equal((9L, 3700L + 1450L), (stats.Packets, stats.PacketBytes));

        // The export's segments of each flow sum to what flow_traffic says it moved.
        using var w = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db}");
        w.Open();
        var segments = new List<FlowSegment>();
        var reader = new FlowSegments(w);
        await reader.NextAsync(100, s => { segments.Add(s); return Task.CompletedTask; });
        var sums = segments.GroupBy(s => s.FlowId).OrderBy(g => g.Key)
            .Select(g => ((long)g.Key, g.Sum(s => s.PacketsIn), g.Sum(s => s.BytesIn), g.Sum(s => s.PacketsOut), g.Sum(s => s.BytesOut))).ToList();
        Assert.Equal([(0xAL, 1L, 700L, 1L, 1000L), (0xBL, 1L, 200L, 1L, 300L), (0xCL, 3L, 3000L, 1L, 100L)], sums);
    }

    private List<(string, string, string, string)> Rows(string query, params string[] columns) => Rows(query, columns, []);

    private List<(string, string, string, string)> Rows(string query, string[] columns, params string[] parameters)
    {
        var result = RoutedStore.Query(Db, query, parameters);
        string Cell(object?[] row, string column) => Convert.ToString(row[result.Columns.ToList().IndexOf(column)], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return result.Rows.Select(r => (Cell(r, columns[0]), Cell(r, columns[1]), Cell(r, columns[2]), Cell(r, columns[3]))).ToList();
    }
}
