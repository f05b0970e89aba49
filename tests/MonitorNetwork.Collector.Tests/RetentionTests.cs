// Bounded disk: retention by age and a maximum size, pruned in chunks between batches while ingest goes on.
using System.Net;
using Dapper;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly NetAddress Local = NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.1"));

    private static long Us(DateTimeOffset t) => Events.UnixMicros.From(t);

    /// <summary>Packet i of flow i/50: fifty packets a flow, as a busy host sends them.</summary>
    private static PacketEvent Packet(long ts, int i) =>
        new(ts, (ulong)(i / 50 + 1), 9, FlowDirection.Inbound, 6, Local, (ushort)(i / 50 % 60000), NetAddress.FromIPAddress(new IPAddress(BitConverter.GetBytes(i / 50 + 1))), 443, 500);

    [Fact]
    public void MaxSize_FillingPastTheCap_StaysBoundedWhileIngestContinues()
    {
        using var dir = new TempDirectory();
        var path = dir.File("capped.db");
        const long cap = 2 * 1024 * 1024;
        using var connection = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1));
        Assert.Equal(2, connection.ExecuteScalar<int>("PRAGMA auto_vacuum")); // incremental
        var pruner = new StorePruner(connection, new RetentionOptions
        {
            MaxDatabaseBytes = cap, ChunkRows = 2000, Interval = TimeSpan.Zero, PassBudget = TimeSpan.FromSeconds(5),
        }, () => Now);
        using var writer = new SqliteEventWriter(connection, SessionStore.Begin(connection, "test", null, Now)) { Pruner = pruner };
        var ts = Us(Now) - 3_600_000_000;
        var i = 0;
        var largest = 0L;
        for (var batch = 0; batch < 150; batch++)
        {
            writer.WriteBatch(Enumerable.Range(0, 2000).Select(_ => (MonitorEvent)Packet(ts += 1000, i++)).ToList(), default);
            largest = Math.Max(largest, pruner.UsedBytes());
        }
        Assert.True(i * 23L > 2 * cap, "the test must write well past the cap");
        Assert.True(largest <= cap + 256 * 1024, $"database grew to {largest} bytes against a cap of {cap}");
        Assert.True(new FileInfo(path).Length <= cap * 2, $"file is {new FileInfo(path).Length} bytes: freed pages were not returned");
        Assert.True(pruner.PacketsDeleted > 0);
        Assert.Equal(ts, connection.ExecuteScalar<long>("SELECT max(ts_us) FROM packet")); // the newest packets are kept
        Assert.Equal(i - pruner.PacketsDeleted, connection.ExecuteScalar<long>("SELECT count(*) FROM packet"));
        Assert.Equal("ok", connection.ExecuteScalar<string>("PRAGMA integrity_check"));
    }

    [Fact]
    public void Age_PacketsGoFirst_FlowsAndRollupsAreKeptLonger()
    {
        using var dir = new TempDirectory();
        using var connection = StoreDatabase.OpenForWriting(dir.File("aged.db"), TimeSpan.FromSeconds(1));
        using var writer = new SqliteEventWriter(connection, SessionStore.Begin(connection, "test", null, Now));
        var remote = NetAddress.FromIPAddress(IPAddress.Parse("198.51.100.1"));
        var ancient = Us(Now.AddDays(-100));
        var old = Us(Now.AddDays(-10));
        var recent = Us(Now.AddHours(-1));
        writer.WriteBatch([
            new FlowEstablishedEvent(ancient, 1, 5, FlowDirection.Outbound, 6, Local, 1, remote, 2, "ancient.exe"),
            Packet(ancient + 1, 0),
            new FlowEstablishedEvent(old, 2, 5, FlowDirection.Outbound, 6, Local, 3, remote, 2, "old.exe"),
            Packet(old + 1, 100), Packet(old + 2, 101),
            new FlowEstablishedEvent(recent, 3, 5, FlowDirection.Outbound, 6, Local, 4, remote, 2, "recent.exe"),
            Packet(recent + 1, 200),
        ], default);
        var pruner = new StorePruner(connection, new RetentionOptions(), () => Now);
        pruner.RunPass();

        Assert.Equal([recent + 1], connection.Query<long>("SELECT ts_us FROM packet"));
        Assert.Equal(["old.exe", "recent.exe"], connection.Query<string>("SELECT process_path FROM flow ORDER BY flow_key"));
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT count(*) FROM packet_minute WHERE minute < @m", new { m = Us(Now.AddDays(-90)) / 60_000_000 }));
        // The 10-day-old minute and the recent one stay; the 100-day-old minute, and then its stream, are gone.
        Assert.Equal([Us(Now.AddDays(-10)) / 60_000_000, Us(Now.AddHours(-1)) / 60_000_000],
            connection.Query<long>("SELECT minute FROM packet_minute ORDER BY minute"));
        Assert.Equal(2, connection.ExecuteScalar<long>("SELECT count(*) FROM packet_stream"));
        Assert.Equal(1, pruner.StreamsDeleted);
    }

    [Theory]
    [InlineData("500MB", 500L << 20)]
    [InlineData("10GB", 10L << 30)]
    [InlineData("1.5gb", (long)(1.5 * (1L << 30)))]
    [InlineData("4096", 4096L)]
    public void SizeParser_AcceptsCommonForms(string text, long bytes) => Assert.Equal(bytes, SizeParser.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("big")]
    [InlineData("-5GB")]
    [InlineData("0")]
    public void SizeParser_RejectsNonsense(string text) =>
        Assert.Throws<Failures.MonitorNetworkException>(() => SizeParser.Parse(text));
}
