// The first five minutes, as a newcomer would take them: pack the collector as a .NET tool, install it into a
// temporary tool path and run it; import the shipped demo recording and see top processes.
using System.Diagnostics;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class FirstRunTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static async Task<(int Code, string Output)> Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, output + await error);
    }

    [Fact]
    public async Task DotnetTool_PackedAndInstalledIntoAToolPath_RunsVersion()
    {
        using var dir = new TempDirectory();
        var packages = dir.File("nupkg");
        var tools = dir.File("tools");
        var pack = await Run("dotnet", "pack", RepoFiles.PathOf("collector", "MonitorNetwork.Collector.csproj"), "-c", Configuration, "--no-build", "-o", packages);
        Assert.True(pack.Code == 0, pack.Output);
        Assert.Single(Directory.GetFiles(packages, "monitornetwork.*.nupkg"));
        var install = await Run("dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources", "monitornetwork");
        Assert.True(install.Code == 0, install.Output);

        var version = await Run(Path.Combine(tools, OperatingSystem.IsWindows() ? "monitornetwork.exe" : "monitornetwork"), "--version");
        Assert.Equal(0, version.Code);
        // A version per commit: the package carries 0.2.<height>, and --version ends with the commit it was built from,
        // so `dotnet tool update` from a newer clone installs something newer and says which commit.
        var printed = System.Text.RegularExpressions.Regex.Match(version.Output.Trim(), @"^(\d+\.\d+\.\d+)\+([0-9a-f]{10,40})$");
        Assert.True(printed.Success, version.Output);
        var head = await Run("git", "-C", RepoFiles.PathOf("collector"), "rev-parse", "HEAD");
        if (head.Code == 0) Assert.StartsWith(printed.Groups[2].Value, head.Output.Trim());
        Assert.EndsWith($"monitornetwork.{printed.Groups[1].Value}.nupkg", Directory.GetFiles(packages, "monitornetwork.*.nupkg")[0]);
    }

    [Fact]
    public async Task Version_PatchIsTheCommitHeightSinceVersionJson()
    {
        // Nerdbank.GitVersioning's height: the commits since version.json last changed, that one included. Each commit
        // on main packs a higher patch number, which is what makes `dotnet tool update` from a newer clone update.
        var git = RepoFiles.PathOf();
        var changed = await Run("git", "-C", git, "log", "-1", "--format=%H", "--", "version.json");
        Assert.SkipWhen(changed.Code != 0 || changed.Output.Trim().Length == 0, "no git history here: the version has no height");
        var since = await Run("git", "-C", git, "rev-list", "--count", $"{changed.Output.Trim()}..HEAD");
        var informational = typeof(Cli.CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.Equal($"0.2.{int.Parse(since.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) + 1}", informational.Split('+')[0]);
    }

    [Fact]
    public async Task Demo_ImportThenTopProcesses_ShowsTheShippedRecordingsPrograms()
    {
        using var dir = new TempDirectory();
        var db = dir.File("demo.db");
        var recording = RepoFiles.DemoRecording;
        using var importOutput = new StringWriter();
        Assert.Equal(0, await Cli.CliApp.RunAsync(["import", recording, "--db", db], TextWriter.Null, importOutput));
        Assert.Contains("completed: 364 events written", importOutput.ToString());
        using var top = new StringWriter();
        Assert.Equal(0, await Cli.CliApp.RunAsync(["query", "top-processes", "--db", db, "--format", "csv"], TextWriter.Null, top));
        var lines = top.ToString().Trim().Split('\n');
        Assert.StartsWith("pid,process_path,flows,packets,bytes_in,bytes_out", lines[0]);
        Assert.StartsWith(@"4120,C:\Program Files\Mozilla Firefox\firefox.exe,74,", lines[1]); // the busiest first
        Assert.Equal(8, lines.Length); // seven programs
    }
}
