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

    private static async Task<(int Code, string Out, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync(args, error, output);
        return (code, output.ToString(), error.ToString());
    }

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
        if (await AsNobody("import", RepoFiles.PathOf("recording", "demo.nettrace"), "--db", db) is not { } r) { Assert.Skip("needs root and runuser to act as another user"); return; }
        Assert.Equal((int)ExitCode.DatabaseUnwritable, r.Code);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(db + "-wal") || File.Exists(db + "-shm"), "-wal or -shm left behind");
    }
}
