// Flow records in the store: flows that began before collection are attributed from their records, a restarted
// collector continues from the stored counters, and packets plus records count every byte once.
using System.Net;
using Dapper;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public sealed class FlowRecordTests : IDisposable
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private const long Minute = 60_000_000;
    private readonly TempDirectory _dir = new();
    private static readonly FlowIdentity s_download = new(4242, FlowDirection.Outbound, 6,
        NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.5")), 50000, NetAddress.FromIPAddress(IPAddress.Parse("198.51.100.7")), 443);

    public void Dispose() => _dir.Dispose();

    private string Db => _dir.File("mn.db");

    /// <summary>Writes the events as one collector run (a session of its own).</summary>
    private void Run(params MonitorEvent[] events)
    {
        using var c = StoreDatabase.OpenForWriting(Db, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        using var writer = new SqliteEventWriter(c, session);
        writer.WriteBatch(events, default);
    }

    private List<string> Answer(string query, params string[] parameters)
    {
        var q = QueryCatalog.Find(query)!;
        return QueryExecutor.Run(Db, q, ParameterBinder.Bind(q, parameters, DateTimeOffset.UtcNow)).Rows
            .Select(row => string.Join(" | ", row.Select(v => v?.ToString() ?? "NULL"))).ToList();
    }

    private static FlowStatsEvent Stats(long ts, ulong bytesIn, ulong bytesOut = 0, ulong flowId = 77) =>
        new(ts, flowId, s_download, bytesIn / 1000, bytesIn, bytesOut / 100, bytesOut);

    [Fact]
    public void FlowStatsWithoutEstablished_IsAttributedToItsProcessAndTuple()
    {
        Run(new ProcessStartedEvent(T0 - 3600 * 1_000_000L, 4242, T0 - 3600 * 1_000_000L, @"C:\Tools\sync.exe", null),
            Stats(T0 + 10 * Minute + 5_000_000, 50_000), Stats(T0 + 11 * Minute + 1_000_000, 80_000));
        using var c = StoreAssert.Open(Db);
        var flow = c.QuerySingle("SELECT pid, protocol, local_address, local_port, remote_address, remote_port, start_ts_us, start_seen, end_ts_us, stats_bytes_in FROM flow");
        Assert.Equal((4242L, 6L, "192.168.1.5", 50000L, "198.51.100.7", 443L), ((long)flow.pid, (long)flow.protocol, (string)flow.local_address, (long)flow.local_port, (string)flow.remote_address, (long)flow.remote_port));
        Assert.Equal((T0 + 10 * Minute + 5_000_000, 0L, 80_000L), ((long)flow.start_ts_us, (long)flow.start_seen, (long)flow.stats_bytes_in));
        Assert.Null(flow.end_ts_us);
        // Its bytes before collection land in the minute of its first record; the rest where the record rule puts them.
        // (The 30 kB after the first record happened in the first record's minute, 10, by the record rule.)
        Assert.Equal(["2026-01-01T00:10:00Z | 80 | 80000 | 0"], Answer("timeline", "bucket=60"));
        Assert.Equal([@"4242 | C:\Tools\sync.exe | 1 | 80 | 80000 | 0"], Answer("top-processes"));
        Assert.Equal(["198.51.100.7 | 1 | 80 | 80000 | 0 | 1 | NULL"], Answer("top-remotes"));
    }

    [Fact]
    public void FlowDeletedWithoutEstablished_IsAttributedToItsProcessAndTuple()
    {
        Run(new FlowDeletedEvent(T0 + 5 * Minute, 78, 7, 7000, 2, 200) { Identity = s_download with { ProcessId = 999 } });
        Assert.Equal(["999 | NULL | 1 | 9 | 7000 | 200"], Answer("top-processes"));
        Assert.Equal(["198.51.100.7 | 1 | 9 | 7000 | 200 | 1 | NULL"], Answer("top-remotes"));
        Assert.Equal(["2026-01-01T00:05:00Z | 9 | 7000 | 200"], Answer("timeline"));
    }

    [Fact]
    public void FlowDeletedOfContractVersion1WithoutEstablished_KeepsTotalsForNobody()
    {
        Run(new FlowDeletedEvent(T0 + 5 * Minute, 79, 7, 7000, 2, 200));
        Assert.Equal(["NULL | NULL | 1 | 9 | 7000 | 200"], Answer("top-processes"));
        Assert.Empty(Answer("timeline")); // no tuple, no stream: the old recordings' limit, unchanged
    }

    [Fact]
    public void RestartedCollector_ContinuesFromTheStoredCounters()
    {
        var established = new FlowEstablishedEvent(T0 + 30_000_000, 77, s_download.ProcessId, s_download.Direction, s_download.Protocol,
            s_download.LocalAddress, s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, @"C:\dl.exe");
        Run(established, Stats(T0 + 1 * Minute + 2_000_000, 10_000));
        // A new run (service restart): its first record of the flow counts only what came after the stored one.
        Run(Stats(T0 + 2 * Minute + 1_000_000, 25_000), new FlowDeletedEvent(T0 + 2 * Minute + 40_000_000, 77, 30, 30_000, 0, 0) { Identity = s_download });
        Assert.Equal(["2026-01-01T00:00:00Z | 10 | 10000 | 0", "2026-01-01T00:01:00Z | 15 | 15000 | 0", "2026-01-01T00:02:00Z | 5 | 5000 | 0"],
            Answer("timeline"));
        Assert.Equal([@"4242 | C:\dl.exe | 1 | 30 | 30000 | 0"], Answer("top-processes"));
        using var c = StoreAssert.Open(Db);
        Assert.Equal(1L, c.ExecuteScalar<long>("SELECT count(*) FROM flow"));
    }

    [Fact]
    public void PacketsAndRecordsOfOneFlow_CountEachByteOnce()
    {
        var established = new FlowEstablishedEvent(T0 + 30_000_000, 77, s_download.ProcessId, s_download.Direction, s_download.Protocol,
            s_download.LocalAddress, s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, @"C:\dl.exe");
        PacketEvent Packet(long ts, uint bytes) => new(ts, 77, s_download.ProcessId, FlowDirection.Inbound, 6, s_download.LocalAddress,
            s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, bytes);
        Run(established, Packet(T0 + 40_000_000, 1000), Packet(T0 + 50_000_000, 1000),
            new FlowStatsEvent(T0 + Minute + 1_000_000, 77, s_download, 2, 2000, 0, 0), Packet(T0 + Minute + 1_000_000, 500));
        Assert.Equal(["2026-01-01T00:00:00Z | 2 | 2000 | 0", "2026-01-01T00:01:00Z | 1 | 500 | 0"], Answer("timeline"));
    }

    [Fact]
    public void PacketsOfAFlowFromBeforeCollection_AndItsFlowDeleted_CountOnce()
    {
        PacketEvent Packet(long ts) => new(ts, 78, s_download.ProcessId, FlowDirection.Inbound, 6, s_download.LocalAddress,
            s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, 1000);
        Run(Packet(T0 + 10_000_000), Packet(T0 + 20_000_000),
            new FlowDeletedEvent(T0 + 30_000_000, 78, 50, 50_000, 0, 0) { Identity = s_download });
        // The packets' minute holds the packets; the flow's totals (with what it carried before) stay on its row.
        Assert.Equal(["2026-01-01T00:00:00Z | 2 | 2000 | 0"], Answer("timeline"));
        Assert.Equal(["4242 | NULL | 1 | 50 | 50000 | 0"], Answer("top-processes"));
    }

    [Fact]
    public void PacketStoredBeforeItsFlowEstablished_StillCountsOnce()
    {
        // Found by bench busy: a packet with its flow's start time, sorted before the FlowEstablished.
        var established = new FlowEstablishedEvent(T0 + 30_000_000, 77, s_download.ProcessId, s_download.Direction, s_download.Protocol,
            s_download.LocalAddress, s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, @"C:\dl.exe");
        var packet = new PacketEvent(T0 + 30_000_000, 77, s_download.ProcessId, FlowDirection.Inbound, 6, s_download.LocalAddress,
            s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, 1000);
        Run(packet, established, packet with { TimestampUs = T0 + 40_000_000 },
            new FlowStatsEvent(T0 + Minute + 1, 77, s_download, 2, 2000, 0, 0));
        Assert.Equal(["2026-01-01T00:00:00Z | 2 | 2000 | 0"], Answer("timeline"));
    }

    [Fact]
    public void Builder_FlowWithAnIdQuietForLong_KeepsItsCounters()
    {
        var builder = new FlowRecordBuilder(TimeSpan.FromSeconds(60), keepPackets: false);
        var output = new List<MonitorEvent>();
        PacketEvent Packet(long ts) => new(ts, 77, s_download.ProcessId, FlowDirection.Inbound, 6, s_download.LocalAddress, s_download.LocalPort,
            s_download.RemoteAddress, s_download.RemotePort, 100);
        builder.Add(Packet(T0 + 1_000_000), output);
        for (var m = 1; m <= 30; m++) builder.Add(new HealthEvent(T0 + m * Minute + 1, "DriverHealth", []), output); // half an hour of quiet
        builder.Add(Packet(T0 + 31 * Minute + 5), output);
        builder.Add(new HealthEvent(T0 + 32 * Minute + 1, "DriverHealth", []), output);
        Assert.Equal([1UL, 1UL, 2UL], output.OfType<FlowStatsEvent>().Select(r => r.PacketsIn)); // never back to zero
    }

    [Fact]
    public void Builder_QuietFlowGetsNoRecords_AndFlowlessPacketsCountOnTheirOwnEndpoints()
    {
        var builder = new FlowRecordBuilder(TimeSpan.FromSeconds(60), keepPackets: false);
        var output = new List<MonitorEvent>();
        var udp = new PacketEvent(T0 + 1_000_000, 0, 321, FlowDirection.Outbound, 17, s_download.LocalAddress, 5353, s_download.RemoteAddress, 53, 60);
        builder.Add(udp, output);
        builder.Add(udp with { TimestampUs = T0 + 2_000_000 }, output);
        var established = Assert.IsType<FlowEstablishedEvent>(Assert.Single(output)); // the builder's own flow begins
        Assert.Equal((T0 + 1_000_000, 321U, (ushort)53), (established.TimestampUs, established.ProcessId, established.RemotePort));
        builder.Add(new HealthEvent(T0 + Minute + 1, "DriverHealth", []), output); // a later interval: the sweep reports it once
        var record = Assert.IsType<FlowStatsEvent>(output[1]);
        Assert.Equal(established.FlowId, record.FlowId);
        Assert.Equal((FlowRecordBuilder.FlowIdOf(udp), 2UL, 120UL, 321U), (record.FlowId, record.PacketsOut, record.BytesOut, record.Identity.ProcessId));
        Assert.True(record.FlowId >= 0x8000_0000_0000_0000UL);
        for (var m = 2; m < 5; m++) builder.Add(new HealthEvent(T0 + m * Minute, "DriverHealth", []), output);
        Assert.Single(output.OfType<FlowStatsEvent>()); // quiet ever since: never repeated
        builder.Flush(T0 + 5 * Minute, output);
        Assert.Single(output.OfType<FlowStatsEvent>());
    }

    [Fact]
    public void Builder_PacketSortedBeforeItsFlowEstablished_StaysInItsMinute()
    {
        var builder = new FlowRecordBuilder(TimeSpan.FromSeconds(60), keepPackets: false);
        var output = new List<MonitorEvent>();
        var t = T0 + 59_000_000;
        var packet = new PacketEvent(t, 77, 4242, FlowDirection.Inbound, 6, s_download.LocalAddress, 50000, s_download.RemoteAddress, 443, 1000);
        builder.Add(packet, output); // same time as its FlowEstablished, sorted first
        builder.Add(Established(t), output);
        builder.Add(packet with { TimestampUs = T0 + Minute + 1_000_000 }, output);
        builder.Add(new FlowDeletedEvent(T0 + Minute + 2_000_000, 77, 2, 2000, 0, 0), output);
        Assert.Equal([(T0 + Minute + 1_000_000, 1UL), (T0 + Minute + 2_000_000, 2UL)],
            output.OfType<FlowStatsEvent>().Select(r => (r.TimestampUs, r.PacketsIn)));
        Run(output.ToArray());
        Assert.Equal(["2026-01-01T00:00:00Z | 1 | 1000 | 0", "2026-01-01T00:01:00Z | 1 | 1000 | 0"], Answer("timeline"));
    }

    private FlowEstablishedEvent Established(long ts, ulong flowId = 77) => new(ts, flowId, s_download.ProcessId, s_download.Direction, s_download.Protocol,
        s_download.LocalAddress, s_download.LocalPort, s_download.RemoteAddress, s_download.RemotePort, @"C:\Tools\sync.exe");

    [Fact]
    public void RecordsOnly_LiveTopAndFlowsShowTheOpenFlow_FromItsMinutes()
    {
        Run(Established(T0 + 30_000_000), Stats(T0 + Minute + 2_000_000, 60_000, 600), Stats(T0 + 2 * Minute + 1_000_000, 90_000, 900));
        var top = MonitorNetwork.Collector.Top.TopReader.Read(Db);
        // The window is the newest minute with traffic (1) and the one before: both records' increases.
        Assert.Equal([("C:\\Tools\\sync.exe", 4242L, 90_000L, 900L)], top.Processes.Select(p => (p.Label, p.Pid ?? 0, p.BytesIn, p.BytesOut)));
        Assert.Equal(["198.51.100.7"], top.Remotes.Select(r => r.Label));
        Assert.Equal(T0, top.WindowStartUs);
        var flows = Answer("flows");
        Assert.Single(flows);
        Assert.EndsWith("| 90000 | 900 | NULL", flows[0], StringComparison.Ordinal);
    }

    [Fact]
    public void LiveTop_CountsAFlowThatEndedInTheWindow_NotOneThatEndedBefore()
    {
        Run(Established(T0 + 1_000_000, flowId: 70), new FlowDeletedEvent(T0 + 20_000_000, 70, 1, 5_000, 1, 50) { Identity = s_download },
            Established(T0 + 5 * Minute + 1_000_000), Stats(T0 + 6 * Minute + 1_000_000, 40_000),
            new FlowDeletedEvent(T0 + 6 * Minute + 30_000_000, 77, 40, 40_000, 0, 0) { Identity = s_download });
        var top = MonitorNetwork.Collector.Top.TopReader.Read(Db);
        Assert.Equal([40_000L], top.Processes.Select(p => p.BytesIn));
    }

    [Fact]
    public void ReplacingAnImport_TakesItsFlowsMinutesOutOfTheTimeline()
    {
        Run(Established(T0 + 30_000_000), Stats(T0 + Minute + 2_000_000, 60_000), new FlowDeletedEvent(T0 + 3 * Minute, 77, 70, 70_000, 0, 0) { Identity = s_download });
        Run(Established(T0 + 40_000_000, flowId: 88), new FlowDeletedEvent(T0 + 50_000_000, 88, 1, 1_000, 0, 0) { Identity = s_download });
        Assert.Equal(["2026-01-01T00:00:00Z | 61 | 61000 | 0", "2026-01-01T00:01:00Z | 10 | 10000 | 0"], Answer("timeline"));
        using (var c = StoreDatabase.OpenForWriting(Db, TimeSpan.FromSeconds(1)))
            ImportIdentity.DeleteSession(c, c.ExecuteScalar<long>("SELECT min(session_id) FROM collector_session"));
        Assert.Equal(["2026-01-01T00:00:00Z | 1 | 1000 | 0"], Answer("timeline"));
        using var store = StoreAssert.Open(Db);
        Assert.Equal(1, store.ExecuteScalar<long>("SELECT count(*) FROM flow_minute"));
        Assert.Equal(1, store.ExecuteScalar<long>("SELECT count(*) FROM flow_minute_total"));
    }

    [Fact]
    public void EndedFlow_KeepsNoCountersBesideItsTotals()
    {
        Run(Established(T0 + 30_000_000), Stats(T0 + Minute + 2_000_000, 60_000), new FlowDeletedEvent(T0 + 3 * Minute, 77, 60, 70_000, 0, 0) { Identity = s_download });
        using var store = StoreAssert.Open(Db);
        var row = store.QuerySingle("SELECT stats_ts_us, stats_bytes_in, bytes_in FROM flow");
        Assert.Equal((null, null, 70_000L), ((object?)row.stats_ts_us, (object?)row.stats_bytes_in, (long)row.bytes_in));
    }
}
