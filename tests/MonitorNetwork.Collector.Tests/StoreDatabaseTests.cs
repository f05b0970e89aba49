// Opening, creating and migrating the store, and refusing files that are not ours.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class StoreDatabaseTests
{
    private static readonly TimeSpan Busy = TimeSpan.FromSeconds(1);

    [Fact]
    public void OpenForWriting_NewPath_CreatesMigratedWalDatabase()
    {
        using var dir = new TempDirectory();
        var path = dir.File("nested/deeper/mn.db");
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            Assert.Equal(Migrations.Latest, c.ExecuteScalar<int>("PRAGMA user_version"));
            Assert.Equal(Migrations.ApplicationId, c.ExecuteScalar<int>("PRAGMA application_id"));
            Assert.Equal("wal", c.ExecuteScalar<string>("PRAGMA journal_mode"));
            Assert.Equal(["collector_session", "dns_answer", "export_correction", "export_lake", "export_pending", "export_watermark", "flow_minute", "flow_minute_total", "flow_row", "health_event", "image", "ipfix_destination", "ipfix_progress", "packet", "packet_minute", "packet_stream", "process", "program", "program_day", "program_hour", "program_minute", "remote", "unknown_event"],
                c.Query<string>("SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name"));
        }
        Assert.Equal(1, Migrations.All[0].Version);
    }

    /// <summary>
    /// README sends people to the sqlite3 shell, which may be older than the SQLite the collector bundles: a schema it
    /// cannot parse (an UPDATE alias in a trigger did that to 3.40) locks them out of the whole file.
    /// </summary>
    [Fact]
    public void MigratedStore_OpensInTheSystemSqliteShell()
    {
        if (!File.Exists("/usr/bin/sqlite3")) Assert.Skip("needs the sqlite3 shell at /usr/bin/sqlite3 (apt-get install sqlite3)");
        using var dir = new TempDirectory();
        var path = dir.File("shell.db");
        using (StoreDatabase.OpenForWriting(path, Busy)) { }
        SqliteConnection.ClearAllPools();
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/sqlite3", [path, "SELECT count(*) FROM sqlite_schema; SELECT count(*) FROM flow_minute_total;"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var shell = System.Diagnostics.Process.Start(start)!;
        var output = shell.StandardOutput.ReadToEnd();
        var error = shell.StandardError.ReadToEnd();
        shell.WaitForExit();
        Assert.True(shell.ExitCode == 0, error);
        Assert.Equal("0", output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public void OpenForWriting_Version1Database_MigratesAndBackfillsRollups()
    {
        using var dir = new TempDirectory();
        var path = dir.File("v1.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            c.Execute(Migrations.All[0].Sql);
            c.Execute($"PRAGMA application_id={Migrations.ApplicationId}; PRAGMA user_version=1;");
            c.Execute("INSERT INTO packet_stream VALUES (1, 5, 10, 6, '10.0.0.1', 1000, '10.0.0.2', 80)");
            c.Execute("INSERT INTO packet VALUES (60000000, 1, 1, 100), (60000001, 1, 0, 7), (120000000, 1, 1, 5)");
        }
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            Assert.Equal(Migrations.Latest, c.ExecuteScalar<int>("PRAGMA user_version"));
            Assert.Equal([(1L, 1L, 100L, 1L, 7L), (2L, 1L, 5L, 0L, 0L)],
                c.Query<(long, long, long, long, long)>("SELECT minute, packets_in, bytes_in, packets_out, bytes_out FROM packet_minute ORDER BY minute"));
            Assert.Equal(60000000L, c.ExecuteScalar<long>("SELECT first_ts_us FROM remote WHERE remote_address = '10.0.0.2'"));
        }
    }

    [Fact]
    public void OpenForWriting_NewPath_IsPrivateToOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix modes; Windows uses an ACL (Administrators and SYSTEM)");
            return;
        }
        using var dir = new TempDirectory();
        var path = dir.File("private/mn.db");
        using (StoreDatabase.OpenForWriting(path, Busy)) { }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void OpenForWriting_Twice_KeepsDataAndVersion()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
            SessionStore.Begin(c, "nettrace", "x", DateTimeOffset.UtcNow);
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM collector_session"));
            Assert.Equal(Migrations.Latest, c.ExecuteScalar<int>("PRAGMA user_version"));
        }
    }

    [Fact]
    public void Open_NewerSchema_FailsWithDatabaseTooNew()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
            c.Execute($"PRAGMA user_version={Migrations.Latest + 1}");
        Assert.Equal(FailureKind.DatabaseTooNew, Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenForWriting(path, Busy)).Kind);
        Assert.Equal(FailureKind.DatabaseTooNew, Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenReadOnly(path)).Kind);
    }

    [Fact]
    public void Open_NotSqlite_FailsWithNotMonitorNetworkDatabase()
    {
        using var dir = new TempDirectory();
        var path = dir.File("notes.db");
        File.WriteAllText(path, new string('x', 4096));
        var ex = Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenForWriting(path, Busy));
        Assert.Equal(FailureKind.NotMonitorNetworkDatabase, ex.Kind);
        Assert.Contains("not a SQLite database", ex.Message);
        Assert.Equal(new string('x', 4096), File.ReadAllText(path)); // untouched
    }

    [Fact]
    public void Open_SomeoneElsesSqlite_FailsWithNotMonitorNetworkDatabase()
    {
        using var dir = new TempDirectory();
        var path = dir.File("other.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            c.Execute("CREATE TABLE t(x)");
        }
        Assert.Equal(FailureKind.NotMonitorNetworkDatabase, Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenForWriting(path, Busy)).Kind);
    }

    [Fact]
    public void OpenForWriting_DirectoryCannotBeCreated_FailsWithUnwritable()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "");
        var ex = Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenForWriting(dir.File("file/sub/mn.db"), Busy));
        Assert.Equal(FailureKind.DatabaseUnwritable, ex.Kind);
    }

    [Fact]
    public void OpenReadOnly_OlderSchema_SaysHowToUpgrade()
    {
        using var dir = new TempDirectory();
        var path = dir.File("old.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            c.Execute(Migrations.All[0].Sql);
            c.Execute($"PRAGMA application_id={Migrations.ApplicationId}; PRAGMA user_version=1;");
        }
        var ex = Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenReadOnly(path));
        Assert.Equal(FailureKind.DatabaseTooOld, ex.Kind);
        Assert.Contains("to upgrade", ex.Message);
        using (StoreDatabase.OpenForWriting(path, Busy)) { } // the writer upgrades it
        using var upgraded = StoreDatabase.OpenReadOnly(path);
        Assert.Equal(Migrations.Latest, upgraded.ExecuteScalar<int>("PRAGMA user_version"));
    }

    [Fact]
    public void OpenReadOnly_Missing_FailsWithNotFound()
    {
        using var dir = new TempDirectory();
        Assert.Equal(FailureKind.NotFound, Assert.Throws<MonitorNetworkException>(() => StoreDatabase.OpenReadOnly(dir.File("none.db"))).Kind);
    }

    [Fact]
    public void OpenReadOnly_RefusesWrites()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        using (StoreDatabase.OpenForWriting(path, Busy)) { }
        using var c = StoreDatabase.OpenReadOnly(path);
        var ex = Assert.Throws<SqliteException>(() => c.Execute("DELETE FROM flow_row"));
        Assert.Equal(8, ex.SqliteErrorCode); // SQLITE_READONLY
    }

    [Fact]
    public void DefaultDatabasePath_EndsWithDatabaseFileName() =>
        Assert.Equal(StorePaths.FileName, Path.GetFileName(StorePaths.DefaultDatabasePath()));
}
