// monitornetwork top: the snapshot's numbers come from the minute rollup; the live view, driven through tmux
// (a real pseudo-terminal), shows a process whose traffic is imported while it runs, quits on q, and leaves the
// terminal's main screen as it was.
using System.Diagnostics;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Top;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class TopTests
{
    [Fact]
    public async Task Snapshot_DemoStore_RanksProcessesAndRemotesByTheRollupsBytes()
    {
        using var dir = new TempDirectory();
        var db = await ReportTests.DemoStoreAsync(dir);
        var snapshot = TopReader.Read(db);
        var byTotal = TopSorting.Rank(snapshot.Processes, TopSort.Total, 10);
        Assert.Equal(@"C:\Program Files\Mozilla Firefox\firefox.exe", byTotal[0].Label);
        Assert.Equal(4120, byTotal[0].Pid);
        // The same bytes as the rollup holds for the window, split by process and by remote alike.
        using var c = StoreAssert.Open(db);
        using var command = c.CreateCommand();
        command.CommandText = "SELECT sum(bytes_in), sum(bytes_out) FROM packet_minute WHERE minute >= (SELECT max(minute) - 1 FROM packet_minute)";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(reader.GetInt64(0), snapshot.Processes.Sum(r => r.BytesIn));
        Assert.Equal(reader.GetInt64(1), snapshot.Processes.Sum(r => r.BytesOut));
        Assert.Equal(reader.GetInt64(0), snapshot.Remotes.Sum(r => r.BytesIn));
        Assert.All(TopSorting.Rank(snapshot.Remotes, TopSort.Out, 10).Zip(TopSorting.Rank(snapshot.Remotes, TopSort.Out, 10).Skip(1)),
            pair => Assert.True(pair.First.BytesOut >= pair.Second.BytesOut));
    }

    [Fact]
    public async Task Once_PrintsOneSnapshot_AndAnEmptyStoreSaysSo()
    {
        using var dir = new TempDirectory();
        var empty = dir.File("empty.db");
        StoreDatabase.OpenForWriting(empty, TimeSpan.FromSeconds(1)).Dispose();
        var none = await CliRun.RunAsync("top", "--db", empty, "--once");
        Assert.Equal(0, none.Code);
        Assert.Contains("no traffic in the store yet", none.Out);

        var db = await ReportTests.DemoStoreAsync(dir);
        var run = await CliRun.RunAsync("top", "--db", db, "--once", "--sort", "packets", "--rows", "2");
        Assert.True(run.Code == 0, run.Error);
        Assert.Contains(", by packets", run.Out);
        Assert.Contains("firefox.exe", run.Out);
        Assert.DoesNotContain("chat.exe", run.Out); // third by packets, cut by --rows 2
    }

    [Fact]
    public void Header_MarksDataOlderThanTwoMinutes()
    {
        var endUs = 1_795_705_128_000_000L;
        var snapshot = new TopSnapshot(endUs - 60_000_000, endUs, [new TopRow("a.exe", 1, 10, 20, 3)], []);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(endUs / 1000);
        Assert.DoesNotContain("old", Text(snapshot, at.AddSeconds(TopView.StaleAfterSeconds)));
        Assert.Contains("newest data is 5 min old", Text(snapshot, at.AddMinutes(5)));
        Assert.Contains("newest data is 3.0 h old", Text(snapshot, at.AddHours(3)));
    }

    private static string Text(TopSnapshot snapshot, DateTimeOffset now)
    {
        using var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output), Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        console.Write(TopView.Render(snapshot, TopSort.Total, 5, "x.db", now));
        return output.ToString();
    }

    [Theory]
    [InlineData("--sort", "bytes", 2, "--sort: 'bytes' is not total, in, out, packets, flows or name")]
    [InlineData("--interval", "10ms", 2, "--interval must be at least 100ms")]
    [InlineData("--rows", "0", 2, "--rows: 0 is out of range (1 to 1000)")]
    public async Task BadInput_OneLineAndItsExitCode(string option, string value, int code, string message)
    {
        using var dir = new TempDirectory();
        var db = dir.File("s.db");
        StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)).Dispose();
        var run = await CliRun.RunAsync("top", "--db", db, "--once", option, value);
        Assert.Equal(code, run.Code);
        Assert.Equal("monitornetwork: error: " + message, run.Error.Trim());
    }

    [Fact]
    public async Task MissingStore_NotFound_AndNotCreated()
    {
        using var dir = new TempDirectory();
        var run = await CliRun.RunAsync("top", "--db", dir.File("absent.db"), "--once");
        Assert.Equal(3, run.Code);
        Assert.False(File.Exists(dir.File("absent.db")));
    }

    [Fact]
    public async Task Live_InTmux_ShowsAProcessImportedMeanwhile_QuitsOnQ_RestoresTheScreen()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/usr/bin/tmux"))
            Assert.Skip("needs tmux at /usr/bin/tmux (apt-get install tmux)");
        using var dir = new TempDirectory();
        var db = dir.File("live.db");
        StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)).Dispose();
        var server = "mn-top-" + Guid.NewGuid().ToString("N")[..8];
        var collector = Path.Combine(AppContext.BaseDirectory, "monitornetwork.dll");
        // After top exits the shell prints its exit code and stays, so the pane shows what top left behind.
        var shell = $"echo BEFORE-TOP; dotnet '{collector}' top --db '{db}' --interval 200ms; echo EXITED=$?; sleep 60";
        try
        {
            await Tmux(server, "new-session", "-d", "-x", "160", "-y", "45", "sh", "-c", shell);
            await Until(server, screen => screen.Contains("no traffic in the store yet"), "the empty view");

            var import = await CliRun.RunAsync("import", RepoFiles.ContractV1Recording, "--db", db);
            Assert.True(import.Code == 0, import.Error);
            // A refresh may land mid-import and show part of it; the next ones show all of it.
            var shown = await Until(server, screen => screen.Contains("firefox.exe") && screen.Contains("198.51.100.200"), "the imported process and remote");
            Assert.Contains("4120", shown);

            await Tmux(server, "send-keys", "-t", "0", "s");
            await Until(server, screen => screen.Contains(", by in"), "the next sort order");

            await Tmux(server, "send-keys", "-t", "0", "q");
            var after = await Until(server, screen => screen.Contains("EXITED="), "top to exit");
            Assert.Contains("EXITED=0", after);
            Assert.Contains("BEFORE-TOP", after); // the main screen is back as it was
            Assert.DoesNotContain("monitornetwork top", after);
            Assert.DoesNotContain("firefox.exe", after);
        }
        finally
        {
            await Tmux(server, "kill-server");
        }
    }

    private static async Task<string> Until(string server, Func<string, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            screen = await Tmux(server, "capture-pane", "-p", "-t", "0");
            if (done(screen)) return screen;
            await Task.Delay(100); // a real terminal shows what it shows when it shows it: look again
        }
        throw new Xunit.Sdk.XunitException($"waited 30 s for {what}; the screen:\n{screen}");
    }

    private static async Task<string> Tmux(string server, params string[] arguments)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(server);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
