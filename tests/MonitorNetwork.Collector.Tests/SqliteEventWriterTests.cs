// The store writer: rows equal the events, FlowDeleted without FlowEstablished keeps its totals, views read well,
// lock contention is retried by Polly, and a failed batch leaves nothing behind.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class SqliteEventWriterTests
{
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(100);
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z

    private static List<MonitorEvent> Stamped(List<MonitorEvent> events) =>
        events.Select((e, i) => e with { TimestampUs = T0 + i * 1000L }).ToList();

    [Fact]
    public void WriteBatch_ScriptedTraffic_StoresEveryEventAsSent()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        var events = Stamped(TrafficScript.Build(flows: 40, packetsPerFlow: 25));
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
            using var writer = new SqliteEventWriter(c, session);
            foreach (var chunk in events.Chunk(97)) writer.WriteBatch(chunk, default);
        }
        StoreAssert.MatchesSent(path, events, T0, T0 + events.Count * 1000L);
    }

    [Fact]
    public void Views_ShowReadableAddressesDirectionsTimesAndUnsignedFlowIds()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        var local = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("::ffff:192.168.1.10"));
        var remote = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8::10"));
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch([
                new FlowEstablishedEvent(T0, ulong.MaxValue, 42, FlowDirection.Inbound, 6, local, 50000, remote, 443, "app.exe"),
                new PacketEvent(T0 + 1500, ulong.MaxValue, 42, FlowDirection.Outbound, 17, local, 50000, remote, 443, 99),
            ], default);
        }
        using var db = StoreAssert.Open(path);
        var flow = db.QuerySingle("SELECT flow_id, direction, protocol, local_address, remote_address, start_utc FROM flows");
        Assert.Equal("18446744073709551615", (string)flow.flow_id);
        Assert.Equal("in", (string)flow.direction);
        Assert.Equal("tcp", (string)flow.protocol);
        Assert.Equal("192.168.1.10", (string)flow.local_address);
        Assert.Equal("2001:db8::10", (string)flow.remote_address);
        Assert.Equal("2026-01-01T00:00:00.000000Z", (string)flow.start_utc);
        var packet = db.QuerySingle("SELECT ts_utc, direction, protocol, bytes FROM packets");
        Assert.Equal("2026-01-01T00:00:00.001500Z", (string)packet.ts_utc);
        Assert.Equal("out", (string)packet.direction);
        Assert.Equal("udp", (string)packet.protocol);
        Assert.Equal(99L, (long)packet.bytes);
    }

    [Fact]
    public void WriteBatch_StoresCountersInSessionRow()
    {
        using var dir = new TempDirectory();
        using var c = StoreDatabase.OpenForWriting(dir.File("mn.db"), Busy);
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        using var writer = new SqliteEventWriter(c, session);
        writer.WriteBatch([new FlowDeletedEvent(T0, 1, 0, 0, 0, 0)], new CounterSnapshot(10, 1, 2, 3, 4, 5));
        var row = c.QuerySingle<(long, long, long, long, long, long)>(
            "SELECT events_received, events_written, events_dropped, events_lost, events_malformed, events_unknown FROM collector_session");
        Assert.Equal((10L, 1L, 2L, 3L, 4L, 5L), row);
    }

    [Fact]
    public void WriteBatch_RepeatedStreams_ShareOneStreamRow()
    {
        using var dir = new TempDirectory();
        using var c = StoreDatabase.OpenForWriting(dir.File("mn.db"), Busy);
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        var a = NetAddress.FromIPAddress(System.Net.IPAddress.Loopback);
        var packets = Enumerable.Range(0, 100).Select(i => (MonitorEvent)new PacketEvent(T0 + i, 7, 1, (FlowDirection)(i % 2), 6, a, 1, a, 2, 10)).ToList();
        using (var writer = new SqliteEventWriter(c, session)) writer.WriteBatch(packets, default);
        using (var writer = new SqliteEventWriter(c, session)) writer.WriteBatch(packets, default); // a new writer finds the old stream
        Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM packet_stream"));
        Assert.Equal(200, c.ExecuteScalar<long>("SELECT count(*) FROM packet"));
    }

    [Fact]
    public async Task WriteBatch_WhileAnotherProcessHoldsTheWriteLock_IsRetriedUntilItCommits()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        using var c = StoreDatabase.OpenForWriting(path, Busy);
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        using var inner = new SqliteEventWriter(c, session);
        var writer = new ResilientBatchWriter(inner, ResilientBatchWriter.DefaultRetry());

        using var analyst = new SqliteConnection($"Data Source={path};Pooling=False");
        analyst.Open();
        analyst.Execute("BEGIN IMMEDIATE; INSERT INTO health_event VALUES (0, 1, 'x', '{}');");
        var release = Task.Delay(700).ContinueWith(_ => analyst.Execute("COMMIT")); // real time is the subject: a lock held 700 ms, within the busy timeout
        writer.WriteBatch([new FlowDeletedEvent(T0, 1, 0, 0, 0, 0)], default);
        await release;
        Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM flow"));
    }

    [Fact]
    public void WriteBatch_Failure_RollsBackWholeBatchAndForgetsNewStreams()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        using var c = StoreDatabase.OpenForWriting(path, Busy);
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        using var writer = new SqliteEventWriter(c, session);
        var a = NetAddress.FromIPAddress(System.Net.IPAddress.Loopback);
        var packet = new PacketEvent(T0, 7, 1, FlowDirection.Inbound, 6, a, 1, a, 2, 10);

        using (var analyst = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            analyst.Open();
            analyst.Execute("BEGIN IMMEDIATE");
            Assert.Throws<SqliteException>(() => writer.WriteBatch([packet], default)); // no retry: inner writer
            analyst.Execute("ROLLBACK");
        }
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM packet_stream"));
        writer.WriteBatch([packet], default); // must re-create the stream, not reuse a rolled-back id
        Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM packet p JOIN packet_stream s USING (stream_id)"));
    }
}

public class SqliteEventWriterRollupTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z, a minute boundary

    [Fact]
    public void WriteBatch_PacketMinuteRollup_EqualsPacketRowsAcrossBatches()
    {
        using var dir = new TempDirectory();
        using var c = StoreDatabase.OpenForWriting(dir.File("mn.db"), TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        var events = TrafficScript.Build(flows: 30, packetsPerFlow: 40)
            .Select((e, i) => e with { TimestampUs = T0 + i * 700_000L }) // spreads over many minutes
            .ToList();
        using (var writer = new SqliteEventWriter(c, session))
            foreach (var chunk in events.Chunk(53)) writer.WriteBatch(chunk, default);

        var fromRows = c.Query<(long, long, long, long, long, long)>("""
            SELECT stream_id, ts_us / 60000000, sum(direction = 1), sum(CASE WHEN direction = 1 THEN bytes END),
                   sum(direction = 0), sum(CASE WHEN direction = 0 THEN bytes END)
            FROM packet GROUP BY 1, 2 ORDER BY 1, 2
            """).Select(r => (r.Item1, r.Item2, r.Item3, r.Item4, r.Item5, r.Item6)).ToList();
        // The script's one flow without packets (named only by its FlowDeleted) adds its totals on a stream of its own.
        var rollup = c.Query<(long, long, long, long?, long, long?)>("""
            SELECT stream_id, minute, packets_in, nullif(bytes_in, 0), packets_out, nullif(bytes_out, 0) FROM packet_minute
            WHERE stream_id IN (SELECT stream_id FROM packet) ORDER BY 1, 2
            """)
            .Select(r => (r.Item1, r.Item2, r.Item3, r.Item4 ?? 0, r.Item5, r.Item6 ?? 0)).ToList();
        Assert.Equal(fromRows.Select(r => (r.Item1, r.Item2, r.Item3, r.Item4, r.Item5, r.Item6)), rollup);
        Assert.True(rollup.Select(r => r.Item2).Distinct().Count() > 10);
    }

    [Fact]
    public void PacketArrivingAfterFlowDeleted_IsNotCountedTwice()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        var a = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.1.1.1"));
        var r = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("198.51.100.7"));
        using (var c = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1)))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch([
                new FlowEstablishedEvent(T0, 9, 42, FlowDirection.Outbound, 6, a, 1, r, 2, "app.exe"),
                new PacketEvent(T0 + 1, 9, 42, FlowDirection.Outbound, 6, a, 1, r, 2, 100),
                new FlowDeletedEvent(T0 + 2, 9, 0, 0, 2, 150),
            ], default);
            // ETW does not order events across processors: a packet can follow its flow's FlowDeleted.
            writer.WriteBatch([new PacketEvent(T0 + 3, 9, 42, FlowDirection.Outbound, 17, a, 1, r, 2, 50)], default);
        }
        var query = Queries.QueryCatalog.Find("top-processes")!;
        var result = Queries.QueryExecutor.Run(path, query, Queries.ParameterBinder.Bind(query, [], DateTimeOffset.UtcNow));
        Assert.Equal([[42L, "app.exe", 1L, 2L, 0L, 150L]], result.Rows);
    }

    [Fact]
    public void RemoteFirstSeen_KeepsEarliestSighting()
    {
        using var dir = new TempDirectory();
        using var c = StoreDatabase.OpenForWriting(dir.File("mn.db"), TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
        var a = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.1.1.1"));
        var r = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("198.51.100.7"));
        using var writer = new SqliteEventWriter(c, session);
        writer.WriteBatch([new FlowEstablishedEvent(T0 + 500, 1, 11, FlowDirection.Outbound, 6, a, 1, r, 2, "late.exe")], default);
        writer.WriteBatch([new FlowEstablishedEvent(T0 + 100, 2, 22, FlowDirection.Outbound, 6, a, 3, r, 2, "early.exe")], default);
        writer.WriteBatch([new FlowEstablishedEvent(T0 + 900, 3, 33, FlowDirection.Outbound, 6, a, 4, r, 2, "later.exe")], default);
        Assert.Equal((T0 + 100, 22L), c.QuerySingle<(long, long)>("SELECT first_ts_us, first_pid FROM remote"));
    }
}
