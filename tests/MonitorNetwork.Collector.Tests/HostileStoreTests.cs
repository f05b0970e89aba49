// The store under hostile use: read-only directories and files, another user's store, a file that is not writable,
// parameters that overflow or contradict each other. Checks that need a second user run the built program as
// 'nobody' through runuser (root only, as in CI); elsewhere they skip with one line.
using System.Diagnostics;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public sealed class HostileStoreTests : IClassFixture<NamedQueryGoldenTests.Fixture>
{
    private readonly GoldenStore _store;

    public HostileStoreTests(NamedQueryGoldenTests.Fixture fixture) => _store = fixture.Store;

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => CliRun.RunAsync(args);

    [Theory]
    [InlineData("since=99999999d")]
    [InlineData("since=2026-02-01T00:00:00Z", "until=2026-01-01T00:00:00Z")]
    [InlineData("limit=99999999999999999999")]
    public async Task ParameterThatOverflowsOrContradicts_Usage(params string[] parameters)
    {
        var args = new List<string> { "query", "top-processes", "--db", _store.DatabasePath };
        foreach (var p in parameters) args.AddRange(["--param", p]);
        var (code, _, error) = await Run([.. args]);
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task BucketOfZero_Usage()
    {
        var (code, _, error) = await Run("query", "timeline", "--db", _store.DatabasePath, "--param", "bucket=0");
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("bucket must be at least 1", error);
    }

    /// <summary>Runs the built program as user nobody; null (and the test skips) when that cannot be done here.</summary>
    private static async Task<(int Code, string Error)?> AsNobody(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "monitornetwork.dll");
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/runuser")) return null;
        using (var probe = Process.Start("/usr/sbin/runuser", ["-u", "nobody", "--", "test", "-r", dll])!)
        {
            await probe.WaitForExitAsync();
            if (probe.ExitCode != 0) return null; // this clone is not readable by another user
        }
        var start = new ProcessStartInfo("/usr/sbin/runuser", ["-u", "nobody", "--", "env", "HOME=/tmp", "DOTNET_CLI_TELEMETRY_OPTOUT=1", "dotnet", dll, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var child = Process.Start(start)!;
        var error = child.StandardError.ReadToEndAsync();
        await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (child.ExitCode, await error);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string SharedCopy(TempDirectory dir, string source)
    {
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        var db = dir.File("shared.db");
        File.Copy(source, db);
        return db;
    }

    [Fact]
    public async Task AnotherUsersPrivateStore_AccessDenied9()
    {
        if (!OperatingSystem.IsLinux()) { Assert.Skip("Unix file modes and runuser"); return; }
        using var dir = new TempDirectory();
        var db = SharedCopy(dir, _store.DatabasePath);
        File.SetUnixFileMode(db, UnixFileMode.UserRead | UnixFileMode.UserWrite); // root's, 0600
        if (await AsNobody("query", "top-processes", "--db", db) is not { } r) { Assert.Skip("needs root and runuser to act as another user"); return; }
        Assert.Equal((int)ExitCode.AccessDenied, r.Code);
        Assert.Contains("access denied", r.Error);
    }

    [Fact]
    public async Task ReadableStoreInAReadOnlyDirectory_ReadImmutableWithANote()
    {
        if (!OperatingSystem.IsLinux()) { Assert.Skip("Unix file modes and runuser"); return; }
        using var dir = new TempDirectory();
        var db = SharedCopy(dir, _store.DatabasePath);
        File.SetUnixFileMode(db, (UnixFileMode)Convert.ToInt32("644", 8)); // readable by all; the directory is root's 0755
        if (await AsNobody("stats", "--db", db) is not { } r) { Assert.Skip("needs root and runuser to act as another user"); return; }
        Assert.Equal(0, r.Code);
        Assert.Contains("read immutable", r.Error);
        Assert.False(File.Exists(db + "-shm"));
    }

    [Fact]
    public async Task ImportIntoAFileThisUserCannotWrite_Exit7_NothingLeftBehind()
    {
        if (!OperatingSystem.IsLinux()) { Assert.Skip("Unix file modes and runuser"); return; }
        using var dir = new TempDirectory();
        var db = SharedCopy(dir, _store.DatabasePath);
        File.SetUnixFileMode(db, (UnixFileMode)Convert.ToInt32("644", 8));
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("777", 8)); // nobody could create -wal and -shm here
        if (await AsNobody("import", RepoFiles.ContractV1Recording, "--db", db) is not { } r) { Assert.Skip("needs root and runuser to act as another user"); return; }
        Assert.Equal((int)ExitCode.DatabaseUnwritable, r.Code);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(db + "-wal") || File.Exists(db + "-shm"), "-wal or -shm left behind");
    }

    [Fact]
    public async Task TwoCreatorsOfOneNewStore_BothSucceed()
    {
        using var dir = new TempDirectory();
        // Twenty rounds: the window between one creator's first commit and another's identity check is narrow.
        for (var round = 0; round < 20; round++)
        {
            var db = dir.File($"race-{round}.db");
            using var start = new ManualResetEventSlim();
            var creators = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            {
                start.Wait();
                using var c = Store.StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(10));
                return Dapper.SqlMapper.ExecuteScalar<int>(c, "PRAGMA user_version");
            })).ToList();
            start.Set();
            var versions = await Task.WhenAll(creators);
            Assert.All(versions, v => Assert.Equal(Store.Migrations.Latest, v));
        }
    }

    [Fact]
    public async Task AdoptedFileOrSymlinkTarget_MadePrivate()
    {
        if (!OperatingSystem.IsLinux()) { Assert.Skip("Unix file modes"); return; }
        using var dir = new TempDirectory();
        var empty = dir.File("empty.db");
        File.WriteAllBytes(empty, []);
        File.SetUnixFileMode(empty, (UnixFileMode)Convert.ToInt32("644", 8));
        var (code, _, error) = await Run("import", RepoFiles.ContractV1Recording, "--db", empty);
        Assert.Equal(0, code);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(empty));
        Assert.Contains("was readable by others (mode 0644); it is now private", error);

        var target = dir.File("target.db");
        var link = dir.File("link.db");
        File.CreateSymbolicLink(link, target); // dangling: the store is created at its target
        Assert.Equal(0, (await Run("import", RepoFiles.ContractV1Recording, "--db", link)).Code);
        Assert.True(File.Exists(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
    }
}

public class FailureMappingTests
{
    [Theory]
    [InlineData(5, ExitCode.DatabaseBusy, "stayed locked by another process past the retry window")]
    [InlineData(6, ExitCode.DatabaseBusy, "stayed locked")]
    [InlineData(8, ExitCode.DatabaseUnwritable, "read-only")]
    [InlineData(13, ExitCode.DatabaseUnwritable, "full")]
    [InlineData(1, ExitCode.Unexpected, "database error (SQLite 1)")]
    public void SqliteErrors_OurOneLineAndTheirOwnCode(int sqliteCode, ExitCode expected, string text)
    {
        var (code, message) = Failure.Describe(new Microsoft.Data.Sqlite.SqliteException("SQLite Error 5: 'database is locked'.\nmore", sqliteCode));
        Assert.Equal(expected, code);
        Assert.Contains(text, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void EveryFailureKind_IsItsOwnExitCode()
    {
        foreach (var kind in Enum.GetValues<Failures.FailureKind>())
        {
            Assert.Equal((int)kind, (int)Failure.ToExitCode(kind));
            Assert.True(Enum.IsDefined((ExitCode)(int)kind), $"{kind} has no ExitCode name");
        }
    }
}
