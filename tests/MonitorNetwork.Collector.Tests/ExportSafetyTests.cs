// The lake as a careful user and a second user on the same machine would try it: exports in two processes at once,
// the lake spelled two ways (and moved), an import --replace between exports, an export killed with SIGKILL at a
// random moment, two imports of one recording at once. Each ends with the lake read by DuckDB equal to the store:
// the same flow identities, the same sums.
using System.Diagnostics;
using Dapper;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ExportSafetyTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private static readonly string s_demo = RepoFiles.ContractV1Recording;
    private static readonly string s_cli = Path.Combine(AppContext.BaseDirectory, "monitornetwork.dll");

    private static void Fill(string db, int seed, int flows)
    {
        var events = TrafficScript.Build(flows, packetsPerFlow: 8, seed).Select((e, i) => e with { TimestampUs = T0 + i * 250_000L }).ToList();
        using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "nettrace", $"seed {seed}", DateTimeOffset.UtcNow);
        using (var writer = new SqliteEventWriter(c, session))
            foreach (var chunk in events.Chunk(500)) writer.WriteBatch(chunk, default);
        SessionStore.Finish(c, session, Events.SessionStatus.Completed, new CounterSnapshot(events.Count, events.Count, 0, 0, 0, 0), DateTimeOffset.UtcNow);
    }

    private static Process Cli(params string[] args) => Process.Start(new ProcessStartInfo("dotnet", [s_cli, .. args])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    })!;

    private static async Task<(int Code, string Error)> Finish(Process p)
    {
        var error = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await error);
    }

    private static DuckDBConnection Lake(string lake)
    {
        var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        foreach (var table in new[] { "flows", "packet_minutes", "packets" })
        {
            var glob = Path.Combine(lake, $"table={table}", "**", "*.parquet").Replace("'", "''", StringComparison.Ordinal);
            duck.Execute(Directory.Exists(Path.Combine(lake, $"table={table}")) && Directory.EnumerateFiles(Path.Combine(lake, $"table={table}"), "*.parquet", SearchOption.AllDirectories).Any()
                ? $"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)"
                : $"CREATE VIEW {table} AS SELECT NULL::VARCHAR AS host, NULL::UBIGINT AS flow_id, NULL::TIMESTAMPTZ AS start_ts, 0::BIGINT AS packets_in, 0::BIGINT AS bytes_in, 0::BIGINT AS packets_out, 0::BIGINT AS bytes_out, 0::BIGINT AS bytes WHERE false");
        }
        return duck;
    }

    /// <summary>The lake equals the store: every flow identity once, and the same sums of flows, minutes and packets.</summary>
    private static void AssertLakeEqualsStore(string db, string lake)
    {
        using var store = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        using var duck = Lake(lake);
        // The lake's times are milliseconds (ExportRows: Parquet.Net's microsecond statistics are wrong).
        var storeFlows = store.Query<(long FlowId, long? StartUs)>("SELECT flow_id, start_ts_us FROM flow ORDER BY 1, 2")
            .Select(f => $"{unchecked((ulong)f.FlowId)}@{(f.StartUs is { } us ? (us / 1000 * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}").ToList();
        var lakeFlows = duck.Query<string>("""
            SELECT flow_id::VARCHAR || '@' || coalesce(epoch_us(start_ts)::VARCHAR, '')
            FROM (SELECT flow_id, start_ts FROM flows GROUP BY flow_id, start_ts
                  HAVING sum(packets_in + packets_out + bytes_in + bytes_out) <> 0 OR bool_or(NOT correction))
            """).ToList();
        Assert.Equal(storeFlows.Distinct().Order(), lakeFlows.Distinct().Order());
        Assert.Equal(store.ExecuteScalar<long>(
            "SELECT coalesce(sum(CASE WHEN end_ts_us IS NOT NULL THEN coalesce(bytes_in, 0) + coalesce(bytes_out, 0) ELSE coalesce(stats_bytes_in, 0) + coalesce(stats_bytes_out, 0) END), 0) FROM flow"),
            duck.ExecuteScalar<long>("SELECT coalesce(sum(bytes_in + bytes_out), 0)::BIGINT FROM flows"));
        Assert.Equal(store.ExecuteScalar<long>("SELECT coalesce((SELECT sum(bytes_in + bytes_out) FROM packet_minute), 0) + coalesce((SELECT sum(bytes_in + bytes_out) FROM flow_minute), 0)"),
            duck.ExecuteScalar<long>("SELECT coalesce(sum(bytes_in + bytes_out), 0)::BIGINT FROM packet_minutes"));
        Assert.Equal(store.ExecuteScalar<long>("SELECT coalesce(sum(bytes), 0) FROM packet"), duck.ExecuteScalar<long>("SELECT coalesce(sum(bytes), 0)::BIGINT FROM packets"));
        Assert.Empty(Directory.GetFiles(lake, ".part-*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TwoExportsAtOnce_InTwoProcesses_EveryRowOnce()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        Fill(db, seed: 21, flows: 3000);
        var first = Cli("export", "--db", db, "--out", lake, "--host", "h");
        var second = Cli("export", "--db", db, "--out", lake + "/", "--host", "h");
        var results = await Task.WhenAll(Finish(first), Finish(second));
        // The second waits for the first (or, past the wait, says so in one line); neither duplicates a row.
        Assert.All(results, r => Assert.True(r.Code is 0 or 23, r.Error));
        Assert.Contains(results, r => r.Code == 0);
        AssertLakeEqualsStore(db, lake);
    }

    [Fact]
    public async Task ExportsWhileAnotherHoldsTheLock_WaitThenFailInOneLine()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        Fill(db, seed: 22, flows: 20);
        Directory.CreateDirectory(lake);
        using (ExportLock.Acquire(dir.File("other.db"), LakeIdentity.Canonical(lake), TimeSpan.Zero)) // another store exporting into this lake
        {
            using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
            var busy = await Assert.ThrowsAsync<Failures.MonitorNetworkException>(() =>
                new ParquetExporter(c).ExportAsync(new ExportOptions(lake, "h", LockWait: TimeSpan.FromMilliseconds(300))));
            Assert.Equal(Failures.FailureKind.ExportBusy, busy.Kind);
            Assert.Contains("another export of this lake is running", busy.Message, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.GetFiles(lake, "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TheLakeSpelledTwoWays_ThroughASymlink_AndMoved_IsOneLake()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("fleet");
        Fill(db, seed: 23, flows: 40);
        async Task<int> Export(string target, params string[] more) => (await CliRun.RunAsync(["export", "--db", db, "--out", target, "--host", "h", .. more])).Code;

        Assert.Equal(0, await Export(lake + "/"));
        Fill(db, seed: 24, flows: 10);
        Assert.Equal(0, await Export(lake));
        File.CreateSymbolicLink(dir.File("link"), lake);
        Fill(db, seed: 25, flows: 10);
        Assert.Equal(0, await Export(dir.File("link") + "/"));
        AssertLakeEqualsStore(db, lake);

        // Moved: still the same lake, found by its manifest.
        Directory.Move(lake, dir.File("moved"));
        Fill(db, seed: 26, flows: 10);
        Assert.Equal(0, await Export(dir.File("moved")));
        AssertLakeEqualsStore(db, dir.File("moved"));

        // Another directory is another lake: refused, and the message advises nothing that would write a row twice.
        var other = await CliRun.RunAsync("export", "--db", db, "--out", dir.File("elsewhere"), "--host", "h");
        Assert.Equal(2, other.Code);
        Assert.Contains("export there", other.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--restart", other.Error, StringComparison.Ordinal);
        // --restart into the lake that holds this store's rows would write them twice: refused.
        var twice = await CliRun.RunAsync("export", "--db", db, "--out", dir.File("moved"), "--host", "h", "--restart");
        Assert.Equal(2, twice.Code);
        Assert.Contains("would write them twice", twice.Error, StringComparison.Ordinal);
        AssertLakeEqualsStore(db, dir.File("moved"));
    }

    [Fact]
    public async Task ImportReplace_ThenExport_TheLakeStillEqualsTheStore()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        Assert.Equal(0, (await CliRun.RunAsync("import", s_demo, "--db", db)).Code);
        Assert.Equal(0, (await CliRun.RunAsync("export", "--db", db, "--out", lake, "--host", "h")).Code);
        AssertLakeEqualsStore(db, lake);
        Assert.Equal(0, (await CliRun.RunAsync("import", s_demo, "--db", db, "--replace")).Code);
        Assert.Equal(0, (await CliRun.RunAsync("export", "--db", db, "--out", lake, "--host", "h")).Code);
        AssertLakeEqualsStore(db, lake);
        using var duck = Lake(lake);
        Assert.True(duck.ExecuteScalar<long>("SELECT count(*) FROM flows WHERE correction") > 0); // what the replace took out, sent negated
    }

    [Fact]
    public async Task OneExport_PutsEveryFlowOfARecordingInTheLake_EndedOrNot()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("open.nettrace");
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        // A recording in which some flows end and some are still open when it stops (a tunnel, an RDP session).
        var events = TrafficScript.Build(flows: 20, packetsPerFlow: 4, seed: 29).Where(e => e is not Events.PacketEvent).ToList();
        var local = Events.NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.9"));
        for (var i = 0; i < 21; i++)
        {
            var remote = Events.NetAddress.FromIPAddress(System.Net.IPAddress.Parse($"198.51.100.{i + 1}"));
            var id = new Events.FlowIdentity((uint)(5000 + i), Events.FlowDirection.Outbound, 6, local, (ushort)(40000 + i), remote, 443);
            events.Add(new Events.FlowEstablishedEvent(0, (ulong)(9000 + i), id.ProcessId, id.Direction, 6, local, id.LocalPort, remote, 443, @"C:\tunnel.exe"));
            events.Add(new Events.FlowStatsEvent(0, (ulong)(9000 + i), id, 10, (ulong)(1000 * (i + 1)), 5, 100));
        }
        await NettraceRecorder.RecordAsync(trace, events);
        Assert.Equal(0, (await CliRun.RunAsync("import", trace, "--db", db)).Code);
        using (var store = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
            Assert.Equal(21, store.ExecuteScalar<long>("SELECT count(*) FROM flow WHERE end_ts_us IS NULL"));
        Assert.Equal(0, (await CliRun.RunAsync("export", "--db", db, "--out", lake, "--host", "h")).Code);
        AssertLakeEqualsStore(db, lake);
        using var duck = Lake(lake);
        Assert.Equal(21, duck.ExecuteScalar<long>("SELECT count(DISTINCT flow_id) FROM flows WHERE NOT ended"));
    }

    [Fact]
    public async Task ExportKilledAtRandomMoments_TheNextOneLeavesEveryRowOnce()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        Fill(db, seed: 27, flows: 4000);
        var random = new Random(27);
        for (var round = 0; round < 4; round++)
        {
            var child = Cli("export", "--db", db, "--out", lake, "--host", "h");
            await Task.Delay(random.Next(300, 1500)); // real time is the subject: SIGKILL at a random moment of the export
            if (!child.HasExited) child.Kill(); // SIGKILL: no cleanup of any kind
            await child.WaitForExitAsync();
            Fill(db, seed: 100 + round, flows: 300); // new traffic between runs
        }
        var final = await Finish(Cli("export", "--db", db, "--out", lake, "--host", "h"));
        Assert.Equal(0, final.Code);
        AssertLakeEqualsStore(db, lake);
    }

    [Fact]
    public async Task TwoImportsOfOneRecordingAtOnce_StoreItOnce()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        Assert.Equal(0, (await CliRun.RunAsync("import", s_demo, "--db", dir.File("warm.db"))).Code); // the store file exists for both
        File.Copy(dir.File("warm.db"), db);
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
            ImportIdentity.DeleteSession(c, 1); // an empty store of the current schema
        var results = await Task.WhenAll(Finish(Cli("import", s_demo, "--db", db)), Finish(Cli("import", s_demo, "--db", db)));
        Assert.Single(results, r => r.Code == 0);
        Assert.Single(results, r => r.Code == 16);
        using var store = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        Assert.Equal(1, store.ExecuteScalar<long>("SELECT count(*) FROM collector_session WHERE status <> 'replaced'"));
    }

    [Fact]
    public async Task ABacklog_ExportsUnderTheServicesHeapLimit()
    {
        // 200,000 flows by the CLI in a child process with the service's 64 MiB GC heap limit; bench export-memory
        // does 100,000 and 1,000,000 (README, Performance). Rows stream: a backlog that had to fit in memory would die
        // with an OutOfMemoryException here and never catch up.
        using var dir = new TempDirectory();
        var db = dir.File("backlog.db");
        var local = Events.NetAddress.FromIPAddress(System.Net.IPAddress.Parse("10.0.0.9"));
        IEnumerable<Events.MonitorEvent> Flows()
        {
            for (var i = 0; i < 200_000; i++)
            {
                var remote = Events.NetAddress.FromIPAddress(new System.Net.IPAddress([(byte)(20 + i % 200), (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
                var id = new Events.FlowIdentity((uint)(400 + i % 300), Events.FlowDirection.Outbound, 6, local, (ushort)(49152 + i % 16000), remote, 443);
                yield return new Events.FlowStatsEvent(T0 + i * 100_000L, (ulong)i + 1, id, 3, 3_000, 2, 200);
                if (i % 4 != 0) yield return new Events.FlowDeletedEvent(T0 + i * 100_000L + 50_000, (ulong)i + 1, 4, 4_000, 2, 200) { Identity = id };
            }
        }
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
        {
            var session = SessionStore.Begin(c, "test", "backlog", DateTimeOffset.UtcNow);
            using var writer = new SqliteEventWriter(c, session);
            foreach (var batch in Flows().Chunk(20_000)) writer.WriteBatch(batch, default);
            SessionStore.Finish(c, session, Events.SessionStatus.Completed, default, DateTimeOffset.UtcNow);
        }
        var start = new ProcessStartInfo("dotnet", [s_cli, "export", "--db", db, "--out", dir.File("lake"), "--host", "h"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x4000000";
        var (code, error) = await Finish(Process.Start(start)!);
        Assert.True(code == 0, error);
        using var duck = Lake(dir.File("lake"));
        Assert.Equal(200_000, duck.ExecuteScalar<long>("SELECT count(DISTINCT flow_id) FROM flows"));
    }

    [Fact]
    public async Task LakeStatistics_AgreeWithTheData_SoEnginesPruneNothingTheyShouldRead()
    {
        // Parquet.Net 6.1.0 wrote microsecond timestamps with millisecond min/max statistics: DuckDB then skipped row
        // groups a time filter should read, and refused an aggregate as "statistics corrupt".
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        Assert.Equal(0, (await CliRun.RunAsync("import", s_demo, "--db", db)).Code);
        Assert.Equal(0, (await CliRun.RunAsync("export", "--db", db, "--out", lake, "--host", "h")).Code);
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        foreach (var (table, column) in new[] { ("flows", "start_ts"), ("flows", "segment_end_ts"), ("packet_minutes", "minute") })
        {
            var glob = Path.Combine(lake, $"table={table}", "**", "*.parquet");
            var stats = duck.Query<(string Min, string Max)>($"SELECT min(stats_min)::VARCHAR, max(stats_max)::VARCHAR FROM parquet_metadata('{glob}') WHERE path_in_schema = '{column}'").Single();
            var data = duck.Query<(string Min, string Max)>($"SELECT min({column})::VARCHAR, max({column})::VARCHAR FROM read_parquet('{glob}')").Single();
            Assert.Equal(data, stats);
            // And a filter at the data's own minimum finds every row.
            Assert.Equal(duck.ExecuteScalar<long>($"SELECT count(*) FROM read_parquet('{glob}')"),
                duck.ExecuteScalar<long>($"SELECT count(*) FROM read_parquet('{glob}') WHERE {column} >= (SELECT min({column}) FROM read_parquet('{glob}'))"));
        }
    }

    [Fact]
    public async Task LakeFiles_ArePrivate_AndTheManifestNamesTheLake()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix modes; Windows files take the folder's ACL");
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var lake = dir.File("lake");
        Fill(db, seed: 28, flows: 5);
        Assert.Equal(0, (await CliRun.RunAsync("export", "--db", db, "--out", lake, "--host", "h")).Code);
        var files = Directory.GetFiles(lake, "*.parquet", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var f in files) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
        }
        var manifest = LakeIdentity.Read(LakeIdentity.Canonical(lake));
        Assert.NotNull(manifest);
        Assert.Single(manifest.Stores);
    }
}
