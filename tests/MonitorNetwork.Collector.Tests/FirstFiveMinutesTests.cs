// The first five minutes and the questions users ask most (issue 27): the README's first run played on the demo,
// query --sql as a sqlite3 user types it, top in an 80x24 terminal, usage per program, one name for pid 4, and the
// hints a newcomer needs when a store or a recording is not what they expected.
using System.Diagnostics.Tracing;
using System.Text.RegularExpressions;
using Dapper;
using MonitorNetwork.Collector.Report;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Top;
using Spectre.Console;
using Spectre.Console.Testing;

namespace MonitorNetwork.Collector.Tests;

public class FirstFiveMinutesTests
{
    private static Task<string> ImportDemo(TempDirectory dir) => Import(dir, RepoFiles.DemoRecording, "demo.db");

    /// <summary>The contract v1 recording: Packet events, and one event the contract does not know.</summary>
    private static Task<string> ImportContractV1(TempDirectory dir) => Import(dir, RepoFiles.ContractV1Recording, "v1.db");

    private static async Task<string> Import(TempDirectory dir, string recording, string name)
    {
        var db = dir.File(name);
        var import = await CliRun.RunAsync("import", recording, "--db", db);
        Assert.True(import.Code == 0, import.Out + import.Error);
        return db;
    }

    [Fact]
    public async Task ReadmeFirstRun_OnTheDemo_ShowsTimelineNamesListenersNewRemotesAndUsage()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var html = dir.File("report.html");
        // The report with default arguments, as the README's first run has it; whenever the test runs (the demo's
        // events may be older than the default 24 hours: then the report takes the store's span and says so).
        var report = await CliRun.RunAsync("report", "--db", db, "-o", html);
        Assert.Equal(0, report.Code);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        var timelinePoints = int.Parse(Regex.Match(page, "data-series=\"bytes in\" data-points=\"(\\d+)\"").Groups[1].Value);
        Assert.True(timelinePoints >= 30, $"the timeline has {timelinePoints} points"); // 35 minutes, a point a minute
        foreach (var name in new[] { "firefox.exe", "OneDrive.exe", "updater.exe", "System", "chat.exe", "node.exe" })
            Assert.Matches("<polygon class=\"stack\\d\" data-series=\"\u2068[^\"]*" + Regex.Escape(name), page); // the usage chart names it
        Assert.Contains("video.example.com", page);           // a name from DNS, through a CNAME chain
        var listeners = Regex.Match(page, "<section id=\"listeners\">.*?</section>", RegexOptions.Singleline).Value;
        Assert.Contains("<td class=\"n\">445</td>", listeners);
        Assert.Contains("<td class=\"n\">8080</td>", listeners);
        var newRemotes = Regex.Match(page, "<section id=\"new-remotes\">.*?</section>", RegexOptions.Singleline).Value;
        Assert.Contains("updates.example.net", newRemotes);   // new software, late in the recording
        Assert.Contains("<td class=\"n\">7344</td>", newRemotes); // first_pid without a group separator

        var tables = await CliRun.RunAsync("query", "--db", db, "--sql", ".tables", "--format", "csv");
        Assert.Equal(0, tables.Code);
        Assert.Contains("\r\nflows\r\n", tables.Out);
        var param = await CliRun.RunAsync("query", "--db", db, "--sql", "select count(*) AS n from flows where pid = @pid", "--param", "pid=4120", "--format", "csv");
        Assert.Equal("n\r\n74\r\n", param.Out);
    }

    [Fact]
    public async Task Report_DefaultWindowEmpty_UsesTheStoresSpanAndSaysSo()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var later = DateTimeOffset.UtcNow.AddDays(30);
        var sinceUs = Events.UnixMicros.From(later.AddHours(-24));
        var data = ReportBuilder.Build(db, sinceUs, Queries.ParameterBinder.MaxTimeUs, 10, later, windowIsDefault: true);
        Assert.NotNull(data.WindowNote);
        Assert.Contains("holds no events", data.WindowNote);
        Assert.Equal(data.StoreFirstUs, data.SinceUs);
        Assert.True(data.Timeline.Count >= 30);
        // A window the user chose is kept, empty or not.
        var chosen = ReportBuilder.Build(db, sinceUs, Queries.ParameterBinder.MaxTimeUs, 10, later, windowIsDefault: false);
        Assert.Null(chosen.WindowNote);
        Assert.Empty(chosen.Timeline);
    }

    [Fact]
    public async Task Usage_PerProgram_MatchesTopProcessesAndGroupsByWeekAndMonth()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var top = Queries.QueryExecutor.Run(db, Queries.QueryCatalog.Find("top-processes")!, Queries.ParameterBinder.Bind(Queries.QueryCatalog.Find("top-processes")!, [], DateTimeOffset.UtcNow));
        foreach (var by in new[] { "day", "week", "month" })
        {
            var usage = await CliRun.RunAsync("query", "usage", "--db", db, "-p", $"by={by}", "-p", "since=0", "--format", "csv");
            Assert.Equal(0, usage.Code);
            var rows = usage.Out.Trim().Split("\r\n").Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(7, rows.Count); // the demo's seven programs, in one period
            Assert.Single(rows.Select(r => r[0]).Distinct());
            Assert.Matches(by == "month" ? @"^\d{4}-\d{2}$" : @"^\d{4}-\d{2}-\d{2}$", rows[0][0]);
            foreach (var t in top.Rows)
            {
                var name = (string?)t[1] is { Length: > 0 } path ? path : "System";
                var u = rows.Single(r => r[1] == name);
                Assert.Equal(t[4], long.Parse(u[2]));
                Assert.Equal(t[5], long.Parse(u[3]));
            }
        }
        var firefox = await CliRun.RunAsync("query", "usage", "--db", db, "-p", "program=FIREFOX", "-p", "since=0", "--format", "csv");
        Assert.Equal(2, firefox.Out.Trim().Split("\r\n").Length);
        var bad = await CliRun.RunAsync("query", "usage", "--db", db, "-p", "by=year");
        Assert.Equal(2, bad.Code);
        Assert.Contains("one of day, week, month", bad.Error);
    }

    [Fact]
    public async Task Usage_FromPackets_MatchesTopProcesses()
    {
        // The contract v1 recording carries Packet events: usage comes from packet_minute there.
        using var dir = new TempDirectory();
        var db = await ImportContractV1(dir);
        var top = await CliRun.RunAsync("query", "top-processes", "--db", db, "-p", "since=0", "--format", "csv");
        var usage = await CliRun.RunAsync("query", "usage", "--db", db, "-p", "since=0", "--format", "csv");
        static Dictionary<string, (long In, long Out)> Parse(string csv, int name, int bytesIn) => csv.Trim().Split("\r\n").Skip(1).Select(l => l.Split(','))
            .ToDictionary(r => r[name], r => (long.Parse(r[bytesIn]), long.Parse(r[bytesIn + 1])));
        var byTop = Parse(top.Out, 1, 4);
        var byUsage = Parse(usage.Out, 1, 2);
        Assert.Equal(5, byUsage.Count);
        Assert.Equal(byTop.OrderBy(k => k.Key), byUsage.OrderBy(k => k.Key));
        // Replacing the import takes its packets' minutes out of the usage before they come back once.
        Assert.Equal(0, (await CliRun.RunAsync("import", RepoFiles.ContractV1Recording, "--db", db, "--replace")).Code);
        var again = await CliRun.RunAsync("query", "usage", "--db", db, "-p", "since=0", "--format", "csv");
        Assert.Equal(byUsage.OrderBy(k => k.Key), Parse(again.Out, 1, 2).OrderBy(k => k.Key));
    }

    [Fact]
    public async Task Usage_OutlivesRetentionAndIsNotDoubledByReplace()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        long Total()
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}");
            return c.ExecuteScalar<long>("SELECT sum(bytes_in + bytes_out) FROM program_day");
        }
        var before = Total();
        Assert.Equal(284_339_706, before); // every byte of the demo's flows
        var replace = await CliRun.RunAsync("import", RepoFiles.DemoRecording, "--db", db, "--replace");
        Assert.Equal(0, replace.Code);
        Assert.Equal(before, Total());
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}"))
            c.Execute("DELETE FROM flow_row"); // what retention does to flows 90 days old
        Assert.Equal(before, Total());
    }

    [Theory]
    [InlineData("select(1)", "(1)")]
    [InlineData("SELECT 1 AS one;", "one")]
    [InlineData("select 1 as one; -- a comment after", "one")]
    [InlineData(".indexes flow_row", "name")]
    public async Task QuerySql_RunsOneStatementAsText(string sql, string column)
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var run = await CliRun.RunAsync("query", "--db", db, "--sql", sql, "--format", "csv");
        Assert.True(run.Code == 0, run.Error);
        Assert.StartsWith(column + "\r\n", run.Out);
    }

    [Fact]
    public async Task QuerySql_RefusesMoreThanOneStatementAndUnknownDotCommands_AndPrintsSchema()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var two = await CliRun.RunAsync("query", "--db", db, "--sql", "select 1; select 2");
        Assert.Equal(2, two.Code);
        Assert.Single(two.Error.Trim().Split('\n'));
        Assert.Contains("one statement at a time", two.Error);
        var dump = await CliRun.RunAsync("query", "--db", db, "--sql", ".dump");
        Assert.Equal(2, dump.Code);
        Assert.Contains(".tables, .schema [NAME], .indexes [TABLE]", dump.Error);
        var schema = await CliRun.RunAsync("query", "--db", db, "--sql", ".schema remote");
        Assert.Equal(0, schema.Code);
        Assert.StartsWith("CREATE TABLE remote (", schema.Out);
        Assert.Contains("    remote_address TEXT    NOT NULL UNIQUE,", schema.Out);
    }

    [Fact]
    public async Task ReadmeSqlite3Section_RunsInTheSqlite3Shell()
    {
        var sqlite3 = Environment.GetEnvironmentVariable("PATH")!.Split(Path.PathSeparator).Select(p => Path.Combine(p, "sqlite3")).FirstOrDefault(File.Exists);
        Assert.SkipWhen(sqlite3 is null, "needs the sqlite3 shell (Debian's sqlite3)");
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var readme = await File.ReadAllTextAsync(RepoFiles.PathOf("README.md"), TestContext.Current.CancellationToken);
        var block = Regex.Match(readme, "<!-- sqlite3-example -->\\s*```bash\\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "the README's sqlite3 example is marked <!-- sqlite3-example -->");
        var command = block.Groups[1].Value.Replace("monitornetwork.db", db, StringComparison.Ordinal);
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoFiles.Root };
        using var shell = System.Diagnostics.Process.Start(start)!;
        var output = await shell.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await shell.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await shell.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(shell.ExitCode == 0, error);
        Assert.Empty(error);
        Assert.Contains("firefox.exe", output);
    }

    [Fact]
    public void Top_FitsAn80x24TerminalWithItsHeader()
    {
        var rows = Enumerable.Range(1, 30).Select(i => new TopRow($@"C:\Program Files\Vendor {i}\a rather long program name {i}.exe", 1000 + i, i * 1000, i * 10, i)).ToList();
        var snapshot = new TopSnapshot(0, 60_000_000, rows, [.. rows.Select(r => r with { Pid = null })]);
        var console = new TestConsole().Width(80);
        var fit = TopView.RowsThatFit(24, 10);
        console.Write(TopView.Render(snapshot, TopSort.Total, fit, "/a/very/long/path/to/the/store/that/would/not/fit/monitornetwork.db", DateTimeOffset.UnixEpoch.AddMinutes(1), width: 80));
        var lines = console.Output.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length <= 24, $"{lines.Length} lines:\n{console.Output}");
        Assert.StartsWith("monitornetwork top", lines[0]);
        Assert.True(lines[0].Length <= 80);
        Assert.Contains("? help", lines[^1]);
    }

    [Fact]
    public void TopKeys_SortFilterPauseHelpAndQuit()
    {
        var state = new TopView.ViewState();
        Assert.Equal(TopSort.Packets, TopKeys.Apply(state, TopSort.Total, ConsoleKey.P, 'p').Sort);
        Assert.Equal(TopSort.Name, TopKeys.Apply(state, TopSort.Total, ConsoleKey.N, 'n').Sort);
        Assert.Equal(TopSort.In, TopKeys.Apply(state, TopSort.Total, ConsoleKey.I, 'i').Sort);
        Assert.Equal(TopSort.Flows, TopKeys.Apply(state, TopSort.Total, ConsoleKey.F, 'f').Sort);
        Assert.Equal(TopSort.Total, TopKeys.Apply(state, TopSort.Out, ConsoleKey.B, 'b').Sort);
        Assert.True(TopKeys.Apply(state, TopSort.Total, ConsoleKey.Spacebar, ' ').State.Paused);
        Assert.True(TopKeys.Apply(state, TopSort.Total, ConsoleKey.Oem2, '?').State.Help);
        Assert.True(TopKeys.Apply(state, TopSort.Total, ConsoleKey.Q, 'q').Quit);
        var typing = TopKeys.Apply(state, TopSort.Total, ConsoleKey.Oem2, '/').State;
        foreach (var c in "chat") typing = TopKeys.Apply(typing, TopSort.Total, ConsoleKey.A, c).State;
        var (applied, sort, quit) = TopKeys.Apply(typing, TopSort.Total, ConsoleKey.Enter, '\r');
        Assert.Equal("chat", applied.Filter);
        Assert.False(quit); // 'q' typed into a filter is text, not quit
        Assert.False(TopKeys.Apply(typing, TopSort.Total, ConsoleKey.Q, 'q').Quit);

        var rows = new[] { new TopRow(@"C:\chat.exe", 5288, 10, 10, 1), new TopRow(@"C:\firefox.exe", 4120, 100, 100, 10) };
        var console = new TestConsole().Width(100);
        console.Write(TopView.Render(new TopSnapshot(0, 60_000_000, rows, []), sort, 10, "db", DateTimeOffset.UnixEpoch, applied, 100));
        Assert.Contains("chat.exe", console.Output);
        Assert.DoesNotContain("firefox.exe", console.Output);
    }

    [Fact]
    public async Task Top_CountsTheFlowsThatMovedInTheWindow_AndSortsByThem()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var snapshot = TopReader.Read(db);
        // The demo's last two minutes hold firefox's video flows: as many as have a minute there.
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}"))
        {
            var expected = c.ExecuteScalar<long>("""
                SELECT count(DISTINCT f.flow_id) FROM flow_minute m JOIN flow_row f ON f.flow_key = m.flow_key
                WHERE f.pid = 4120 AND m.minute >= (SELECT max(minute) FROM flow_minute_total) - 1
                """);
            Assert.True(expected >= 2);
            Assert.Equal(expected, snapshot.Processes.Single(p => p.Pid == 4120).Flows);
        }
        var byFlows = TopSorting.Rank(snapshot.Processes, TopSort.Flows, 10);
        Assert.Equal(byFlows.Max(r => r.Flows), byFlows[0].Flows);
        var once = await CliRun.RunAsync("top", "--db", db, "--once", "--sort", "flows");
        Assert.Equal(0, once.Code);
        Assert.Contains("flows", once.Out);
    }

    [Fact]
    public async Task Pid4_IsSystemEverywhere()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        var top = await CliRun.RunAsync("query", "top-processes", "--db", db, "-p", "since=0", "--format", "csv");
        Assert.Contains("\r\n4,System,", top.Out);
        var listeners = await CliRun.RunAsync("query", "listeners", "--db", db, "--format", "csv");
        Assert.Contains("445,tcp,4,System,", listeners.Out);
        var flows = await CliRun.RunAsync("query", "flows", "--db", db, "-p", "process=4", "-p", "since=0", "--format", "csv");
        Assert.Contains(",4,System,in,tcp,", flows.Out);
        Assert.Equal("System", Output.ProgramLabel.Of("", 4));
        Assert.Equal("System", Output.ProgramLabel.Of(null, 4));
        var console = new TestConsole().Width(120);
        console.Write(TopView.Render(new TopSnapshot(0, 60_000_000, [new TopRow("", 4, 1, 1, 1)], []), TopSort.Total, 5, "db", DateTimeOffset.UnixEpoch));
        Assert.Contains("System", console.Output);
        var html = dir.File("r.html");
        Assert.Equal(0, (await CliRun.RunAsync("report", "--db", db, "-o", html, "--since", "0")).Code);
        Assert.Contains(">\u2068System\u2069<", await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MachineReadableOutput_NeverGroupsDigits()
    {
        using var dir = new TempDirectory();
        var db = await ImportDemo(dir);
        foreach (var query in Queries.QueryCatalog.All)
        {
            var json = await CliRun.RunAsync("query", query.Name, "--db", db, "--format", "json", "-p", "since=0");
            if (json.Code != 0) continue; // queries that need a parameter this loop does not give
            using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
            foreach (var row in doc.RootElement.EnumerateArray())
                foreach (var cell in row.EnumerateObject())
                    if (cell.Value.ValueKind == System.Text.Json.JsonValueKind.String)
                        Assert.DoesNotMatch(@"^\d{1,3}(,\d{3})+$", cell.Value.GetString()!);
        }
    }

    [Fact]
    public async Task MissingStore_NamesCollectAndImport()
    {
        using var dir = new TempDirectory();
        var top = await CliRun.RunAsync("top", "--db", dir.File("none.db"), "--once");
        Assert.Equal(3, top.Code);
        Assert.Single(top.Error.Trim().Split('\n'));
        Assert.Contains("monitornetwork collect", top.Error);
        Assert.Contains("monitornetwork import", top.Error);
    }

    [Fact]
    public async Task DirectoryAsDb_GetsItsOwnError()
    {
        using var dir = new TempDirectory();
        var run = await CliRun.RunAsync("import", RepoFiles.DemoRecording, "--db", dir.Path);
        Assert.Equal(21, run.Code);
        Assert.Contains("is a directory", run.Error);
    }

    [EventSource(Name = "Contoso-Other")]
    private sealed class OtherSource : EventSource
    {
        public static readonly OtherSource Log = new();

        [Event(1)]
        public void Hello(int Value) => WriteEvent(1, Value);
    }

    [Fact]
    public async Task ImportWithNoneOfOurEvents_SaysWhatItHeldAndHowToRecordOurs()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("other.nettrace");
        var client = new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(Environment.ProcessId);
        using (var session = await client.StartEventPipeSessionAsync([new Microsoft.Diagnostics.NETCore.Client.EventPipeProvider("Contoso-Other", EventLevel.Verbose)],
                   requestRundown: false, circularBufferMB: 16, TestContext.Current.CancellationToken))
        {
            await using var file = File.Create(trace);
            var copy = session.EventStream.CopyToAsync(file, TestContext.Current.CancellationToken);
            for (var i = 0; i < 3; i++) OtherSource.Log.Hello(i);
            await session.StopAsync(TestContext.Current.CancellationToken);
            await copy;
        }
        var run = await CliRun.RunAsync("import", trace, "--db", dir.File("s.db"));
        Assert.Equal(0, run.Code);
        Assert.Contains("holds none of MonitorNetwork's events (only events of Contoso-Other (3)", run.Out);
        Assert.Contains("wpr -start", run.Out);
    }

    [Fact]
    public async Task Stats_NamesTheUnknownEventsItCounted()
    {
        using var dir = new TempDirectory();
        var db = await ImportContractV1(dir);
        var stats = await CliRun.RunAsync("stats", "--db", db);
        Assert.Matches(@"unknown events\s+MonitorNetwork SomethingNew \(id 6\): 1", stats.Out);
    }
}

public class ReadmeTests
{
    [Fact]
    public void Readme_IsUnder25KB_AndOpensWithTheTwoCommands()
    {
        var readme = File.ReadAllText(RepoFiles.PathOf("README.md"));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(readme) < 25 * 1024, $"README.md is {readme.Length} characters");
        var blocks = Regex.Matches(readme, "```\\w*\\n(.*?)```", RegexOptions.Singleline);
        Assert.Contains("monitornetwork.exe\" collect", blocks[0].Groups[1].Value);
        Assert.StartsWith("bash tests/run-all.sh", blocks[1].Groups[1].Value);
    }

    [Fact]
    public void EveryRelativeLink_InReadmeAndDocs_Resolves()
    {
        var files = new[] { RepoFiles.PathOf("README.md") }.Concat(Directory.GetFiles(RepoFiles.PathOf("docs"), "*.md")).Concat([RepoFiles.PathOf("schema", "README.md")]);
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (Match m in Regex.Matches(text, @"\]\(([^)\s]+)\)"))
            {
                var target = m.Groups[1].Value;
                if (target.StartsWith("http", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var parts = target.Split('#', 2);
                var path = parts[0].Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, parts[0]));
                checkedLinks++;
                if (!File.Exists(path) && !Directory.Exists(path)) { broken.Add($"{Path.GetFileName(file)}: {target}"); continue; }
                if (parts.Length == 2 && path.EndsWith(".md", StringComparison.Ordinal))
                {
                    // GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens.
                    var anchors = Regex.Matches(File.ReadAllText(path), "(?m)^#+ (.+)$")
                        .Select(h => Regex.Replace(h.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\w\- ]", "").Replace(' ', '-')).ToHashSet();
                    if (!anchors.Contains(parts[1])) broken.Add($"{Path.GetFileName(file)}: {target} (no such heading)");
                }
            }
        }
        Assert.True(checkedLinks > 20, $"only {checkedLinks} links found");
        Assert.Empty(broken);
    }
}
