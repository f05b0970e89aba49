// Importing the same recording twice silently doubled every answer. Now a file's identity (SHA-256 and size) is
// kept with its session: a repeat is refused with the earlier session named, --again imports it anyway, and
// --replace deletes the earlier import's rows in one transaction and imports it again.
using Dapper;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class IdempotentImportTests
{
    private static readonly string s_demo = RepoFiles.ContractV1Recording;

    private static async Task<(int Code, string Error)> Import(params string[] args)
    {
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["import", .. args], error, TextWriter.Null);
        return (code, error.ToString());
    }

    private static (long Sessions, long Packets, long Flows, long Bytes) Totals(string db)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        return c.QuerySingle<(long, long, long, long)>(
            "SELECT (SELECT count(*) FROM collector_session), (SELECT count(*) FROM packet), (SELECT count(*) FROM flow), (SELECT coalesce(sum(bytes_in + bytes_out), 0) FROM packet_minute)");
    }

    [Fact]
    public async Task SameFileTwiceInOneCommand_RefusedBeforeAnythingIsWritten()
    {
        using var dir = new TempDirectory();
        var copy = dir.File("copy.nettrace");
        File.Copy(s_demo, copy);
        var db = dir.File("twice.db");
        var (code, error) = await Import(s_demo, copy, "--db", db);
        Assert.Equal((int)ExitCode.AlreadyImported, code);
        Assert.Contains("are the same recording", error);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task ImportedAgainLater_RefusedNamingTheSession_AgainImportsAnyway()
    {
        using var dir = new TempDirectory();
        var db = dir.File("again.db");
        Assert.Equal(0, (await Import(s_demo, "--db", db)).Code);
        var once = Totals(db);
        var (code, error) = await Import(s_demo, "--db", db);
        Assert.Equal((int)ExitCode.AlreadyImported, code);
        Assert.Contains("is in the store already (session 1, completed", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal(once, Totals(db));

        Assert.Equal(0, (await Import(s_demo, "--db", db, "--again")).Code);
        var twice = Totals(db);
        Assert.Equal((2L, once.Packets * 2, once.Bytes * 2), (twice.Sessions, twice.Packets, twice.Bytes));
    }

    [Fact]
    public async Task Replace_AnInterruptedImport_LeavesExactlyOneImportsRows()
    {
        using var dir = new TempDirectory();
        var db = dir.File("replace.db");
        Assert.Equal(0, (await Import(s_demo, "--db", db)).Code);
        var once = Totals(db);
        using (var c = Store.StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
            c.Execute("UPDATE collector_session SET status = 'interrupted'");
        Assert.Equal((int)ExitCode.AlreadyImported, (await Import(s_demo, "--db", db)).Code);

        Assert.Equal(0, (await Import(s_demo, "--db", db, "--replace")).Code);
        var replaced = Totals(db);
        Assert.Equal((2L, once.Packets, once.Flows, once.Bytes), replaced); // the earlier session row stays, as 'replaced'
        using var read = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        Assert.Equal(["1 replaced", "2 completed"], read.Query<string>("SELECT session_id || ' ' || status FROM collector_session ORDER BY session_id"));
        Assert.Equal(0, read.ExecuteScalar<long>("SELECT count(*) FROM packet WHERE session_id <> 2"));
    }

    [Fact]
    public async Task AgainAndReplaceTogether_Usage()
    {
        using var dir = new TempDirectory();
        Assert.Equal((int)ExitCode.Usage, (await Import(s_demo, "--db", dir.File("x.db"), "--again", "--replace")).Code);
    }
}
