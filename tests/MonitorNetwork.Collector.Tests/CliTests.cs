// The command line's contract with users and scripts: one line on stderr, a distinct exit code, no stack trace.
using Dapper;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class CliTests
{
    private static async Task<(int Code, string Error)> Run(params string[] args)
    {
        var error = new StringWriter();
        var code = await CliApp.RunAsync(args, error);
        return (code, error.ToString());
    }

    private static void AssertOneLine(string error)
    {
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("monitornetwork: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("import")]
    [InlineData("import", "a.nettrace", "--nope")]
    [InlineData("frobnicate")]
    [InlineData("collect", "--keywords", "flow,teapot")]
    [InlineData("collect", "--duration", "soon")]
    public async Task BadCommandLine_ExitsWithUsageAndOneLine(params string[] args)
    {
        var (code, error) = await Run(args);
        Assert.Equal((int)ExitCode.Usage, code);
        AssertOneLine(error);
    }

    [Fact]
    public async Task UnknownCommand_NamedAndTheCommandsListed()
    {
        var (code, error) = await Run(["frobnicate"]);
        Assert.Equal((int)ExitCode.Usage, code);
        AssertOneLine(error);
        Assert.Equal("monitornetwork: error: unknown command 'frobnicate' (commands: collect, import, query, queries, stats, export, report, top, service)", error.Trim());
    }

    [Fact]
    public async Task Collect_OffWindows_SaysWhatWorksHere()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("collect is supported on Windows");
            return;
        }
        using var dir = new TempDirectory();
        var (code, error) = await Run("collect", "--db", dir.File("mn.db"));
        Assert.Equal((int)ExitCode.NotSupportedOnThisOS, code);
        AssertOneLine(error);
        Assert.Contains("import", error);
    }

    [Fact]
    public async Task Import_EtlOffWindows_IsNotSupported()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip(".etl import is supported on Windows");
            return;
        }
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("x.etl"), "");
        var (code, error) = await Run("import", dir.File("x.etl"), "--db", dir.File("mn.db"));
        Assert.Equal((int)ExitCode.NotSupportedOnThisOS, code);
        AssertOneLine(error);
    }

    [Fact]
    public async Task Import_MissingFile_IsNotFound()
    {
        using var dir = new TempDirectory();
        var (code, error) = await Run("import", dir.File("missing.nettrace"), "--db", dir.File("mn.db"));
        Assert.Equal((int)ExitCode.NotFound, code);
        AssertOneLine(error);
        Assert.False(File.Exists(dir.File("mn.db")));
    }

    [Fact]
    public async Task Import_IntoNonSqliteDatabase_IsRefusedAndFileUntouched()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("t.nettrace");
        File.WriteAllBytes(trace, "Nettrace"u8.ToArray());
        File.WriteAllText(dir.File("mn.db"), "precious notes");
        var (code, error) = await Run("import", trace, "--db", dir.File("mn.db"));
        Assert.Equal((int)ExitCode.NotMonitorNetworkDatabase, code);
        AssertOneLine(error);
        Assert.Equal("precious notes", File.ReadAllText(dir.File("mn.db")));
    }

    [Fact]
    public async Task Import_IntoNewerSchema_IsRefused()
    {
        using var dir = new TempDirectory();
        var db = dir.File("mn.db");
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1))) c.Execute("PRAGMA user_version=99");
        var trace = dir.File("t.nettrace");
        File.WriteAllBytes(trace, "Nettrace"u8.ToArray());
        var (code, error) = await Run("import", trace, "--db", db);
        Assert.Equal((int)ExitCode.DatabaseTooNew, code);
        AssertOneLine(error);
    }

    [Fact]
    public async Task Import_DatabaseOnUnwritablePath_IsUnwritable()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("blocker"), "");
        var trace = dir.File("t.nettrace");
        File.WriteAllBytes(trace, "Nettrace"u8.ToArray());
        var (code, error) = await Run("import", trace, "--db", dir.File("blocker/sub/mn.db"));
        Assert.Equal((int)ExitCode.DatabaseUnwritable, code);
        AssertOneLine(error);
    }

    [Fact]
    public void ExitCodes_AreDistinctPerFailureKind()
    {
        var codes = Enum.GetValues<FailureKind>().Select(Failure.ToExitCode).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.DoesNotContain(ExitCode.Success, codes);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("00:01:30", 90)]
    [InlineData("0.5s", 0.5)]
    [InlineData("250ms", 0.25)]
    public void DurationParser_AcceptsCommonForms(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationParser.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("0ms")]
    [InlineData("5x")]
    [InlineData("soon")]
    public void DurationParser_RejectsNonsense(string text) =>
        Assert.Equal(FailureKind.Usage, Assert.Throws<MonitorNetworkException>(() => DurationParser.Parse(text)).Kind);
}
