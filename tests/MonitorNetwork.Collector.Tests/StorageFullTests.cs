// Full or failing storage: the store refuses batches (SQLITE_FULL, simulated with PRAGMA max_page_count); the
// collector says so, counts what it drops, keeps running, and stores again by itself once space returns.
using System.Net;
using Dapper;
using Microsoft.Extensions.Logging;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class StorageFullTests
{
    private static PacketEvent Packet(int i) => new(1_767_225_600_000_000 + i, (ulong)(i / 10 + 1), 7, FlowDirection.Outbound, 6,
        NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.1")), (ushort)(i % 60000), NetAddress.FromIPAddress(new IPAddress(BitConverter.GetBytes(i + 1))), 443, 1000);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20); // the retry policy's real backoff is under test: look again
        Assert.True(condition(), "condition not reached in 20 s");
    }

    [Fact]
    public async Task DatabaseFull_DropsAndCountsAndReports_ThenRecoversWhenSpaceReturns()
    {
        using var dir = new TempDirectory();
        var path = dir.File("full.db");
        using var connection = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(connection, "test", null, DateTimeOffset.UtcNow);
        var pages = connection.ExecuteScalar<long>("PRAGMA page_count");
        connection.Execute($"PRAGMA max_page_count = {pages + 20}"); // the disk is nearly full
        using var writer = new SqliteEventWriter(connection, session);
        var log = new ListLogger();
        var reporter = new WriteFailureReporter(log, TimeSpan.FromMinutes(5));
        var pipeline = new EventPipeline(new ResilientBatchWriter(writer, ResilientBatchWriter.DefaultRetry()),
            new PipelineOptions { BatchSize = 1000, FlushInterval = TimeSpan.FromMilliseconds(20) }, reporter.Report);
        pipeline.Start();

        var i = 0;
        for (; i < 20_000; i++) pipeline.Post(Packet(i));
        await WaitUntil(() => pipeline.Counters.Written + pipeline.Counters.Dropped == i);
        Assert.True(pipeline.Counters.Dropped > 0, "the full database refused nothing");
        var droppedWhileFull = pipeline.Counters.Dropped;

        connection.Execute("PRAGMA max_page_count = 1000000000"); // space returns
        for (; i < 25_000; i++) pipeline.Post(Packet(i));
        await pipeline.StopAsync();

        var c = pipeline.Counters.Snapshot();
        Assert.Equal(droppedWhileFull, c.Dropped);       // nothing dropped after recovery
        Assert.Equal(c.Received, c.Written + c.Dropped); // every event either stored or counted
        Assert.Equal(c.Written, connection.ExecuteScalar<long>("SELECT count(*) FROM packet"));
        Assert.Equal("ok", connection.ExecuteScalar<string>("PRAGMA integrity_check"));
        Assert.Equal(c.Dropped, reporter.EventsDropped);
        var error = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("full", error.Message);
        Assert.Contains("collection continues", error.Message);
    }

    [Fact]
    public void Reporter_FirstFailureAtOnce_ThenOneSummaryPerQuietPeriod()
    {
        var log = new ListLogger();
        var reporter = new WriteFailureReporter(log, TimeSpan.FromHours(1));
        var full = new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13);
        for (var k = 0; k < 100; k++) reporter.Report(full, 10);
        Assert.Single(log.Entries);
        Assert.Equal(1000, reporter.EventsDropped);
    }
}
