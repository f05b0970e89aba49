// Fleet export: two hosts' stores exported into one directory, read back by DuckDB (DuckDB.NET) with the same
// answers as our own SQLite queries; incremental runs that never repeat a row; runs killed before and after their
// commit that leave no partial file visible and are completed by the next run; the Parquet logical types.
using Dapper;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ExportTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z

    /// <summary>A store of <see cref="TrafficScript"/> traffic, one event every 250 ms from <paramref name="startUs"/>.</summary>
    private static void Fill(string db, int seed, int flows, long startUs = T0)
    {
        var events = TrafficScript.Build(flows, packetsPerFlow: 8, seed).Select((e, i) => e with { TimestampUs = startUs + i * 250_000L }).ToList();
        using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "nettrace", $"seed {seed}", DateTimeOffset.UtcNow);
        using (var writer = new SqliteEventWriter(c, session))
            foreach (var chunk in events.Chunk(500)) writer.WriteBatch(chunk, default);
        SessionStore.Finish(c, session, Events.SessionStatus.Completed, new CounterSnapshot(events.Count, events.Count, 0, 0, 0, 0), DateTimeOffset.UtcNow);
    }

    /// <summary>What packet_minutes must add up to: packets' minutes and flow records' minutes, open flows' too.</summary>
    private static long StoreMinutes(SqliteConnection store, string sum) => store.ExecuteScalar<long>($"""
        SELECT coalesce((SELECT sum({sum}) FROM packet_minute), 0)
             + coalesce((SELECT sum({sum}) FROM flow_minute), 0)
        """);

    private static async Task<ExportResult> Export(string db, string dir, string host, Action<ParquetExporter>? arrange = null)
    {
        using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        var exporter = new ParquetExporter(c);
        arrange?.Invoke(exporter);
        return await exporter.ExportAsync(new ExportOptions(dir, host));
    }

    private static DuckDBConnection DuckDb(string dir)
    {
        var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        foreach (var table in new[] { "flows", "packet_minutes", "sessions" })
        {
            var glob = Path.Combine(dir, $"table={table}", "**", "*.parquet").Replace("'", "''", StringComparison.Ordinal);
            duck.Execute(Directory.Exists(Path.Combine(dir, $"table={table}"))
                ? $"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)"
                : $"CREATE VIEW {table} AS SELECT NULL::VARCHAR AS host WHERE false");
        }
        return duck;
    }

    /// <summary>The README's DuckDB top-processes: flows by the sum of their segments, plus traffic with no flow row by pid.</summary>
    internal const string DuckDbTopProcesses = """
        WITH f AS (SELECT host, pid, process_path, count(DISTINCT (flow_id, start_ts)) AS flows, sum(packets_in + packets_out) AS packets,
                          sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out
                   FROM flows GROUP BY host, pid, process_path),
        r AS (SELECT m.host, m.pid, NULL::VARCHAR AS process_path, 0 AS flows, sum(m.packets_in + m.packets_out) AS packets,
                     sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
              FROM packet_minutes m
              WHERE NOT EXISTS (SELECT 1 FROM flows f WHERE f.host = m.host AND f.flow_id = m.flow_id)
              GROUP BY m.host, m.pid)
        SELECT pid, process_path, sum(flows) AS flows, sum(packets) AS packets, sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out
        FROM (SELECT * FROM f UNION ALL SELECT * FROM r)
        WHERE host = $host
        GROUP BY pid, process_path
        ORDER BY sum(bytes_in) + sum(bytes_out) DESC, pid NULLS FIRST, process_path NULLS FIRST
        LIMIT 20
        """;

    private static List<string> OurTopProcesses(string db)
    {
        var query = QueryCatalog.Find("top-processes")!;
        var result = QueryExecutor.Run(db, query, ParameterBinder.Bind(query, [], DateTimeOffset.UtcNow));
        return result.Rows.Select(r => string.Join('|', r.Select(v => v is null ? "NULL" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToList();
    }

    private static List<string> DuckTopProcesses(DuckDBConnection duck, string host)
    {
        using var command = duck.CreateCommand();
        command.CommandText = DuckDbTopProcesses;
        command.Parameters.Add(new DuckDBParameter("host", host));
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }

    [Fact]
    public async Task TwoHosts_DuckDbOverTheDirectory_GivesEachHostsTopProcesses()
    {
        using var dir = new TempDirectory();
        var fleet = dir.File("fleet");
        var (a, b) = (dir.File("a.db"), dir.File("b.db"));
        Fill(a, seed: 1, flows: 40);
        Fill(b, seed: 2, flows: 25);
        await Export(a, fleet, "host-a");
        await Export(b, fleet, "host-b");

        using var duck = DuckDb(fleet);
        var ours = OurTopProcesses(a);
        Assert.NotEmpty(ours);
        Assert.Equal(ours, DuckTopProcesses(duck, "host-a"));
        Assert.Equal(OurTopProcesses(b), DuckTopProcesses(duck, "host-b"));
        Assert.True(Directory.Exists(Path.Combine(fleet, "table=flows", "host=host-a", "date=2026-01-01")));
    }

    [Fact]
    public async Task Types_AreRealLogicalTypes()
    {
        using var dir = new TempDirectory();
        var fleet = dir.File("fleet");
        Fill(dir.File("t.db"), seed: 3, flows: 5);
        await Export(dir.File("t.db"), fleet, "h");
        using var duck = DuckDb(fleet);
        var types = duck.Query<(string Name, string Type)>("SELECT column_name, column_type FROM (DESCRIBE flows)").ToDictionary(t => t.Name, t => t.Type);
        Assert.Equal("UBIGINT", types["flow_id"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["start_ts"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["end_ts"]);
        Assert.Equal("VARCHAR", types["remote_address"]);
        // FlowIds at and above 2^63 survive as unsigned, and times to the microsecond.
        Assert.True(duck.ExecuteScalar<decimal>("SELECT max(flow_id)::DECIMAL(20,0) FROM flows") >= 9_223_372_036_854_775_808m);
        Assert.Equal(T0 % 1_000_000, duck.ExecuteScalar<long>("SELECT min(epoch_us(start_ts)) FROM flows") % 250_000);
    }

    [Fact]
    public async Task Incremental_SecondRunWritesNothing_ThirdOnlyWhatIsNew()
    {
        using var dir = new TempDirectory();
        var fleet = dir.File("fleet");
        var db = dir.File("i.db");
        Fill(db, seed: 4, flows: 20);
        var first = await Export(db, fleet, "h");
        Assert.True(first.RowsByTable["flows"] > 0);
        var second = await Export(db, fleet, "h");
        Assert.Equal(0, second.Files);
        Assert.All(second.RowsByTable.Values, n => Assert.Equal(0, n));

        Fill(db, seed: 5, flows: 10, startUs: T0 + 86_400_000_000); // a day later: new flows, new minutes, a new session
        var third = await Export(db, fleet, "h");
        Assert.True(third.RowsByTable["flows"] > 0 && third.RowsByTable["sessions"] == 1);

        using var duck = DuckDb(fleet);
        using var store = StoreDatabase.OpenReadOnly(db);
        Assert.Equal(store.ExecuteScalar<long>("SELECT count(*) FROM flow"), duck.ExecuteScalar<long>("SELECT count(DISTINCT (flow_id, start_ts, session_id)) FROM flows"));
        Assert.Equal(StoreMinutes(store, "bytes_in + bytes_out"), duck.ExecuteScalar<long>("SELECT sum(bytes_in + bytes_out)::BIGINT FROM packet_minutes"));
        Assert.Equal(2, duck.ExecuteScalar<long>("SELECT count(*) FROM sessions"));
    }

    [Fact]
    public async Task RollupUpdatedAfterExport_OnlyTheDeltaIsExported()
    {
        using var dir = new TempDirectory();
        var fleet = dir.File("fleet");
        var db = dir.File("d.db");
        Fill(db, seed: 6, flows: 3);
        await Export(db, fleet, "h");
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
            c.Execute("UPDATE packet_minute SET bytes_in = bytes_in + 1000 WHERE (stream_id, minute) IN (SELECT stream_id, minute FROM packet_minute LIMIT 1)"); // late data for an exported minute
        var again = await Export(db, fleet, "h");
        Assert.Equal(1, again.RowsByTable["packet_minutes"]);
        using var duck = DuckDb(fleet);
        using var store = StoreDatabase.OpenReadOnly(db);
        Assert.Equal(StoreMinutes(store, "bytes_in"), duck.ExecuteScalar<long>("SELECT sum(bytes_in)::BIGINT FROM packet_minutes"));
    }

    [Fact]
    public async Task LongLivedFlow_EveryExportSendsASegment_MinutesOfOpenFlowsToo_SumsEqualTheStore()
    {
        using var dir = new TempDirectory();
        var fleet = dir.File("fleet");
        var db = dir.File("f.db");
        var id = new FlowIdentity(4242, FlowDirection.Outbound, 6, NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.5")), 50000,
            NetAddress.FromIPAddress(System.Net.IPAddress.Parse("198.51.100.7")), 443);
        void Write(params MonitorEvent[] events)
        {
            using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
            var session = SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow);
            using var writer = new SqliteEventWriter(c, session);
            writer.WriteBatch(events, default);
        }
        const long minute = 60_000_000;
        // A VPN tunnel: open across ten exports, moving between each.
        Write(new FlowEstablishedEvent(T0 + 1_000_000, 9, 4242, id.Direction, 6, id.LocalAddress, 50000, id.RemoteAddress, 443, @"C:\vpn.exe"));
        var first = await Export(db, fleet, "h");
        Assert.Equal(1, first.RowsByTable["flows"]); // in the lake before it moved at all, and before it ends
        for (var i = 1; i <= 9; i++)
        {
            Write(new FlowStatsEvent(T0 + i * minute + 1_000_000, 9, id, (ulong)(10 * i), (ulong)(10_000 * i), (ulong)i, (ulong)(100 * i)));
            Assert.Equal(1, (await Export(db, fleet, "h")).RowsByTable["flows"]);
        }
        Assert.Equal(0, (await Export(db, fleet, "h")).RowsByTable["flows"]); // quiet since the last one: no segment
        Write(new FlowDeletedEvent(T0 + 9 * minute + 30_000_000, 9, 95, 95_000, 9, 900) { Identity = id });
        Assert.Equal(1, (await Export(db, fleet, "h")).RowsByTable["flows"]);

        using var duck = DuckDb(fleet);
        Assert.Equal(11, duck.ExecuteScalar<long>("SELECT count(*) FROM flows"));
        Assert.Equal(1, duck.ExecuteScalar<long>("SELECT count(DISTINCT (flow_id, start_ts)) FROM flows"));
        Assert.Equal((95L, 95_000L, 9L, 900L), duck.Query<(long, long, long, long)>(
            "SELECT sum(packets_in)::BIGINT, sum(bytes_in)::BIGINT, sum(packets_out)::BIGINT, sum(bytes_out)::BIGINT FROM flows").Single());
        Assert.Equal(1, duck.ExecuteScalar<long>("SELECT count(*) FROM flows WHERE ended"));
        // Segments tile the flow's life: each starts where the previous ended.
        var bounds = duck.Query<(long, long)>("SELECT epoch_us(segment_start_ts), epoch_us(segment_end_ts) FROM flows ORDER BY 1, 2").ToList();
        for (var i = 1; i < bounds.Count; i++) Assert.Equal(bounds[i - 1].Item2, bounds[i].Item1);
        // Minutes of the open flow went out as they filled, and still sum to its totals.
        using var store = StoreDatabase.OpenReadOnly(db);
        Assert.Equal(store.ExecuteScalar<long>("SELECT sum(bytes_in) FROM flow_minute"), duck.ExecuteScalar<long>("SELECT sum(bytes_in)::BIGINT FROM packet_minutes"));
        Assert.Equal(95_000L, duck.ExecuteScalar<long>("SELECT sum(bytes_in)::BIGINT FROM packet_minutes"));
    }

    [Theory]
    [InlineData(true)]  // killed after writing its files, before committing: the next run exports those rows again
    [InlineData(false)] // killed after committing, before renaming: the next run publishes the committed files
    public async Task KilledMidway_NoPartialFileVisible_NextRunCompletesWithoutDuplicates(bool beforeCommit)
    {
        using var dir = new TempDirectory();
        var fleet = dir.File("fleet");
        var db = dir.File("k.db");
        Fill(db, seed: 7, flows: 30);
        await Assert.ThrowsAsync<IOException>(() => Export(db, fleet, "h", e =>
        {
            if (beforeCommit) e.BeforeCommit = () => throw new IOException("killed");
            else e.AfterCommit = () => throw new IOException("killed");
        }));
        Assert.Empty(Directory.GetFiles(fleet, "*.parquet", SearchOption.AllDirectories)); // readers see nothing half-written
        Assert.NotEmpty(Directory.GetFiles(fleet, ".part-*.tmp", SearchOption.AllDirectories));

        await Export(db, fleet, "h");
        Assert.Empty(Directory.GetFiles(fleet, ".part-*.tmp", SearchOption.AllDirectories));
        using var duck = DuckDb(fleet);
        using var store = StoreDatabase.OpenReadOnly(db);
        Assert.Equal(store.ExecuteScalar<long>("SELECT count(*) FROM flow"), duck.ExecuteScalar<long>("SELECT count(DISTINCT (flow_id, start_ts, session_id)) FROM flows"));
        Assert.Equal(StoreMinutes(store, "packets_in + packets_out"), duck.ExecuteScalar<long>("SELECT sum(packets_in + packets_out)::BIGINT FROM packet_minutes"));
    }

    [Fact]
    public async Task AnotherTarget_RefusedUntilRestart()
    {
        using var dir = new TempDirectory();
        var db = dir.File("r.db");
        Fill(db, seed: 8, flows: 3);
        await Export(db, dir.File("one"), "h");
        var ex = await Assert.ThrowsAsync<Failures.MonitorNetworkException>(() => Export(db, dir.File("two"), "h"));
        Assert.Equal(Failures.FailureKind.Usage, ex.Kind);
        using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        var restarted = await new ParquetExporter(c).ExportAsync(new ExportOptions(dir.File("two"), "h", Restart: true));
        Assert.True(restarted.RowsByTable["flows"] > 0);
    }

    [Fact]
    public async Task Cli_Export_OneLineSummary_AndBadSinceIsUsage()
    {
        using var dir = new TempDirectory();
        var db = dir.File("c.db");
        Fill(db, seed: 9, flows: 3);
        using var output = new StringWriter();
        Assert.Equal(0, await Cli.CliApp.RunAsync(["export", "--format", "parquet", "--out", dir.File("fleet"), "--db", db, "--host", "cli"], TextWriter.Null, output));
        Assert.Matches(@"^flows \d+, packet_minutes \d+, packets \d+, sessions 1; \d+ files", output.ToString());
        Assert.Equal(2, await Cli.CliApp.RunAsync(["export", "--out", dir.File("fleet"), "--db", db, "--since", "yesterday-ish"], TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public async Task CollectExportEvery_TheAgentsBackgroundExport_ExportsAndIsRegistered()
    {
        using var dir = new TempDirectory();
        var db = dir.File("agent.db");
        Fill(db, seed: 10, flows: 4);
        var options = new Configuration.CollectorOptions { DatabasePath = db, ExportTo = dir.File("fleet"), ExportEvery = "1h" };
        var exporter = new Hosting.PeriodicExporter(Configuration.CollectorSettings.From(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<Hosting.PeriodicExporter>.Instance);
        await exporter.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, exporter.Runs);
        Assert.NotEmpty(Directory.GetFiles(dir.File("fleet"), "*.parquet", SearchOption.AllDirectories));

        using var host = Hosting.CollectorHost.Build(new Dictionary<string, string?> { ["Collector:ExportTo"] = dir.File("fleet"), ["Collector:ExportEvery"] = "1h" },
            (_, _) => throw new InvalidOperationException("not started"));
        Assert.NotNull(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetService<Hosting.PeriodicExporter>(host.Services));
        var half = Assert.Throws<Failures.MonitorNetworkException>(() => Configuration.CollectorSettings.From(new Configuration.CollectorOptions { ExportTo = "x" }));
        Assert.Equal(Failures.FailureKind.Usage, half.Kind);
    }
}
