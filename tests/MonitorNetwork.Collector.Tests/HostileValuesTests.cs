// What the network, a DNS server or a recording says must never take over a terminal, a spreadsheet, a page or a
// figure. The hostile values live in TestData/hostile-values.json; each test feeds every one of them through one
// output (tables, CSV, JSON, top, stats, error lines, the HTML report) or one input rule (addresses, CNAME chains,
// clocks, counters), so the next hostile value is a one-line addition there.
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Configuration;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Report;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Top;
using Spectre.Console;

namespace MonitorNetwork.Collector.Tests;

public class HostileValuesTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(100);

    private static readonly JsonElement s_data = JsonDocument.Parse(File.ReadAllText(
        RepoFiles.PathOf("tests", "MonitorNetwork.Collector.Tests", "TestData", "hostile-values.json"))).RootElement;

    public static TheoryData<string, string> Texts()
    {
        var data = new TheoryData<string, string>();
        foreach (var t in s_data.GetProperty("text").EnumerateArray()) data.Add(t.GetProperty("name").GetString()!, t.GetProperty("value").GetString()!);
        return data;
    }

    private static IEnumerable<string> List(string name) => s_data.GetProperty(name).EnumerateArray().Select(e => e.GetString()!);

    /// <summary>No character a terminal obeys or that reorders text, except tab and newline.</summary>
    private static void AssertShowable(string shown, string because)
    {
        var bad = shown.FirstOrDefault(DisplayText.IsUnsafe);
        Assert.True(bad == default, $"{because}: U+{(int)bad:X4} reached the output: {shown}");
    }

    /// <summary>SQL that yields <paramref name="value"/> exactly, built from its code points.</summary>
    private static string SqlLiteral(string value) => value.Length == 0 ? "''" :
        string.Join(" || ", value.Select(c => $"char({(int)c})"));

    [Theory]
    [MemberData(nameof(Texts))]
    public void DisplayText_EscapesEveryUnsafeCharacter_AndKeepsTheRest(string name, string value)
    {
        var shown = DisplayText.Escape(value);
        AssertShowable(shown, name);
        Assert.NotEqual(value, shown);
        // Nothing lost: every safe character is still there, in order.
        Assert.Equal(new string(value.Where(c => !DisplayText.IsUnsafe(c)).ToArray()),
            System.Text.RegularExpressions.Regex.Replace(shown, @"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}", ""));
        Assert.DoesNotContain('\n', DisplayText.OneLine(value + "\nx"));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Query_TableAndTerminalCsv_ShowItEscaped_JsonKeepsItExact(string name, string value)
    {
        using var dir = new TempDirectory();
        var db = await NewStore(dir);
        var sql = $"SELECT {SqlLiteral(value)} AS host, 1 AS n";

        var table = await CliRun.RunAsync("query", "--db", db, "--sql", sql);
        Assert.Equal(0, table.Code);
        AssertShowable(table.Out, name + " in a table");

        var terminal = new StringWriter();
        var csv = new CsvResultWriter(terminal, outputIsTerminal: true);
        csv.Begin(["host"]);
        csv.Row([value]);
        csv.End();
        AssertShowable(terminal.ToString().Replace("\r\n", "", StringComparison.Ordinal), name + " in CSV on a terminal");

        var json = await CliRun.RunAsync("query", "--db", db, "--sql", sql, "--format", "json");
        Assert.Equal(0, json.Code);
        Assert.Equal(value, JsonDocument.Parse(json.Out).RootElement[0].GetProperty("host").GetString()); // exact
    }

    [Fact]
    public async Task Csv_FormulaCells_GetALeadingQuote_NumbersStayNumbers_CsvRawKeepsThem()
    {
        using var dir = new TempDirectory();
        var db = await NewStore(dir);
        foreach (var formula in List("formulas"))
        {
            var sql = $"SELECT {SqlLiteral(formula)} AS host, -5 AS delta";
            var safe = await CliRun.RunAsync("query", "--db", db, "--sql", sql, "--format", "csv");
            Assert.Equal(0, safe.Code);
            var row = safe.Out.Split("\r\n")[1];
            Assert.True(row.StartsWith("'", StringComparison.Ordinal) || row.StartsWith("\"'", StringComparison.Ordinal), $"{formula} → {row}");
            Assert.EndsWith(",-5", row, StringComparison.Ordinal); // a negative number is a number, not a formula
            var raw = await CliRun.RunAsync("query", "--db", db, "--sql", sql, "--format", "csv", "--csv-raw");
            Assert.DoesNotContain("'" + formula[..1], raw.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Top_StatsAndErrorLines_ShowItEscaped(string name, string value)
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        var snapshot = new TopSnapshot(T0, T0 + 60_000_000, [new TopRow(value, 42, 1000, 10, 5)], [new TopRow(value, null, 1000, 10, 5)]);
        console.Write(TopView.Render(snapshot, TopSort.Total, 10, "/data/" + value + ".db", DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1000)));
        AssertShowable(screen.ToString(), name + " in top");

        var stats = new StringWriter();
        Cli.StatsCommand.Write(new StoreSummary("/data/" + value + ".db", 0, 10, null, null, 0, 0, 0, 0, 0, 0, 1, value, 0, 0, 0, 0, 0, 0), stats, terminal: true);
        AssertShowable(stats.ToString(), name + " in stats");

        var (_, message) = Cli.Failure.Describe(new Failures.MonitorNetworkException(Failures.FailureKind.NotFound, "no database at /data/" + value));
        var error = new StringWriter();
        var code = await Cli.CliApp.RunAsync(["query", "--db", "/nonexistent/" + value + ".db", "--sql", "select 1"], error, new StringWriter());
        Assert.Equal(3, code);
        AssertShowable(error.ToString().TrimEnd('\n'), name + " in an error line");
        Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.Contains(value.Length > 0 ? "no database" : "", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Report_ShowsItEscaped_AndIsolated(string name, string value)
    {
        var html = HtmlReport.Render(ReportWith(value, "93.184.216.34"));
        var withoutOurIsolates = html.Replace("\u2068", "", StringComparison.Ordinal).Replace("\u2069", "", StringComparison.Ordinal);
        AssertShowable(withoutOurIsolates.Replace("\n", "", StringComparison.Ordinal), name + " in the report");
        Assert.Equal(html.Count(c => c == '\u2068'), html.Count(c => c == '\u2069')); // every isolate we open is closed
        Assert.Contains("<bdi>", html, StringComparison.Ordinal);
    }

    private static ReportData ReportWith(string host, string address)
    {
        var remotes = new Queries.QueryResult(["remote_host", "remote_address", "flows", "bytes_in", "bytes_out"],
            [[host, address, 3L, 120_000L, 4_000L], ["plain.example", "192.0.2.7", 1L, 60_000L, 2_000L]]);
        var processes = new Queries.QueryResult(["pid", "process_path", "bytes_in", "bytes_out"], [[7L, host, 50_000L, 100L]]);
        var listeners = new Queries.QueryResult(["local_port", "protocol", "process_path"], [[443L, "tcp", host]]);
        var empty = new Queries.QueryResult(["x"], []);
        return new ReportData("/data/" + host + ".db", T0, T0 - 3_600_000_000, T0, T0 - 3_600_000_000, T0, 60, 10,
            [new TimelinePoint(T0 - 60_000_000, 5, 100, 10), new TimelinePoint(T0, 7, 200, 20)], processes, remotes, empty, listeners, empty,
            new ProgramUsage(60, [T0 - 60_000_000, T0], [new ProgramSeries(host, [110, 220])]));
    }

    [Fact]
    public async Task Report_InChromium_ANameNeverReordersTheAddressBesideIt()
    {
        var chromium = new[] { Environment.GetEnvironmentVariable("MONITORNETWORK_CHROMIUM"), "/usr/bin/chromium" }.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
        if (chromium is null) Assert.Skip("no Chromium at /usr/bin/chromium (apt-get install chromium, or set MONITORNETWORK_CHROMIUM)");
        using var dir = new TempDirectory();
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        // A right-to-left override, a right-to-left embedding, and an honest Hebrew name: none may flip 93.184.216.34.
        foreach (var host in new[] { "moc.elgoog\u202e", "\u202bevil", "\u05e9\u05dc\u05d5\u05dd.example" })
        {
            var file = dir.File($"r{host.GetHashCode():x}.html");
            await File.WriteAllTextAsync(file, HtmlReport.Render(ReportWith(host, "93.184.216.34")), TestContext.Current.CancellationToken);
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            // The x position of each character of the address, in the bar label that names it: left to right means
            // the address reads as written.
            var xs = await page.EvaluateAsync<double[]>("""
                () => {
                  const label = Array.from(document.querySelectorAll('#top-remotes text.label')).find(t => t.textContent.includes('93.184.216.34'));
                  const at = label.textContent.indexOf('93.184.216.34');
                  return Array.from({ length: 13 }, (_, i) => label.getStartPositionOfChar(at + i).x);
                }
                """);
            for (var i = 1; i < xs.Length; i++) Assert.True(xs[i] > xs[i - 1], $"{host}: the address is drawn out of order: {string.Join(", ", xs)}");
            await page.CloseAsync();
        }
    }

    [Fact]
    public void Addresses_OnlyStrictFormsParse()
    {
        foreach (var loose in List("addresses_loose")) Assert.False(NetAddress.TryParseStrict(loose, out _), loose);
        foreach (var strict in List("addresses_strict"))
        {
            Assert.True(NetAddress.TryParseStrict(strict, out var a), strict);
            Assert.Equal(NetAddress.FromIPAddress(System.Net.IPAddress.Parse(strict)), a);
        }
        var answer = DnsQueryResults.ParseChecked(string.Join(";", List("addresses_loose").Concat(["93.184.216.34"])));
        Assert.True(answer.AddressesRejected);
        Assert.Equal(["93.184.216.34"], answer.Answer.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void CnameChains_AreCapped_AndOverlongNamesLeftOut()
    {
        var chain = string.Join(";", Enumerable.Range(0, 40).Select(i => $"type:  5 c{i}.example")) + ";type:  5 " + new string('a', 300) + ";1.2.3.4";
        var answer = DnsQueryResults.ParseChecked(chain);
        Assert.True(answer.CnamesCapped);
        Assert.Equal(InputSanity.MaxCnameChain, answer.Answer.Cnames.Count);
        Assert.All(answer.Answer.Cnames, c => Assert.True(c.Length <= InputSanity.MaxDnsNameChars));
        Assert.False(DnsQueryResults.ParseChecked("type:  5 a.example;1.2.3.4").CnamesCapped);
    }

    [Fact]
    public void Store_RefusesImplausibleTimes_AndSaysSoInAnInputSanityRow()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        var local = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("192.168.1.10"));
        var remote = NetAddress.FromIPAddress(System.Net.IPAddress.Parse("93.184.216.34"));
        var year1601 = -11_644_473_600_000_000L; // FILETIME 0 read as Unix microseconds
        var year1969 = -1_000_000L;
        var nextYear = Events.UnixMicros.From(DateTimeOffset.UtcNow.AddYears(1));
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch([
                new FlowEstablishedEvent(year1601, 1, 7, FlowDirection.Outbound, 6, local, 50000, remote, 443, "a.exe"),
                new FlowEstablishedEvent(year1969, 2, 7, FlowDirection.Outbound, 6, local, 50001, remote, 443, "a.exe"),
                new FlowEstablishedEvent(nextYear, 3, 7, FlowDirection.Outbound, 6, local, 50002, remote, 443, "a.exe"),
                new FlowEstablishedEvent(T0, 4, 7, FlowDirection.Outbound, 6, local, 50003, remote, 443, "a.exe"),
            ], default);
        }
        using var db = StoreAssert.Open(path);
        Assert.Equal([4L], db.Query<long>("SELECT flow_id FROM flow_row").ToArray());
        var sanity = db.QuerySingle<string>("SELECT fields_json FROM health_event WHERE event_name = 'InputSanity'");
        Assert.Equal(3, JsonDocument.Parse(sanity).RootElement.GetProperty(InputSanity.Rules.TimestampImplausible).GetInt32());
    }

    [Fact]
    public void Store_CounterThatGoesBack_StartsANewSegment_NotAHugeIncrease()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        var identity = Identity(7, 50000);
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch([
                new FlowStatsEvent(T0, 9, identity, 10, 1_000_000, 10, 1_000),
                new FlowStatsEvent(T0 + 60_000_000, 9, identity, 1, 500, 1, 50), // the driver restarted: counters from zero
                new FlowDeletedEvent(T0 + 120_000_000, 9, 2, 700, 2, 60) { Identity = identity },
            ], default);
        }
        using var db = StoreAssert.Open(path);
        var bytesIn = db.QuerySingle<long>("SELECT sum(bytes_in) FROM flow_minute");
        Assert.Equal(1_000_000 + 500 + 200, bytesIn); // never 2^64 - 999,500
        Assert.Contains(InputSanity.Rules.CounterWentBack, db.QuerySingle<string>("SELECT group_concat(fields_json) FROM health_event WHERE event_name = 'InputSanity'"));
    }

    [Fact]
    public void Decoder_CounterPast2To63_IsRefused_AndTheFlowStillEnds()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        var identity = Identity(7, 50000);
        string[] fields = ["FlowId", "ProcessId", "Direction", "Protocol", "LocalAddress", "LocalPort", "RemoteAddress", "RemotePort", "PacketsIn", "BytesIn", "PacketsOut", "BytesOut"];
        var view = FakeEventView.Of("FlowDeleted", fields, 9UL, 7U, (byte)0, (byte)6, Bytes(identity.LocalAddress), (ushort)50000, Bytes(identity.RemoteAddress), (ushort)443,
            ulong.MaxValue, 5UL, 1UL, 1UL);
        Assert.Equal(Decoding.DecodeOutcome.Decoded, new Decoding.ContractDecoder().Decode(view, out var decoded));
        var deleted = Assert.IsType<FlowDeletedEvent>(decoded);
        Assert.True(deleted.CountersRefused);
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch([new FlowStatsEvent(T0, 9, identity, 3, 300, 1, 10), deleted with { TimestampUs = T0 + 60_000_000 }], default);
        }
        using var db = StoreAssert.Open(path);
        var flow = db.QuerySingle("SELECT end_ts_us, packets_in, bytes_in FROM flow_row");
        Assert.Equal(T0 + 60_000_000, (long)flow.end_ts_us);   // ended, not open for ever
        Assert.Equal(300L, (long)flow.bytes_in);                // its last stored counters, not a wrapped number
        Assert.Contains(InputSanity.Rules.CounterOverflow, db.QuerySingle<string>("SELECT fields_json FROM health_event WHERE event_name = 'InputSanity'"));
    }

    [Fact]
    public void Store_ReusedFlowId_StartsANewFlow_ForItsOwnProcess()
    {
        using var dir = new TempDirectory();
        var path = dir.File("mn.db");
        using (var c = StoreDatabase.OpenForWriting(path, Busy))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch([
                new FlowStatsEvent(T0, 9, Identity(100, 50000), 1, 100, 1, 10),          // an earlier flow, never ended
                new FlowStatsEvent(T0 + 60_000_000, 9, Identity(200, 50001), 1, 70, 1, 7), // the id again, another process
            ], default);
        }
        using var db = StoreAssert.Open(path);
        Assert.Equal([100L, 200L], db.Query<long>("SELECT pid FROM flow_row ORDER BY flow_key").ToArray());
        Assert.Equal(70L, db.QuerySingle<long>("SELECT m.bytes_in FROM flow_minute m JOIN flow_row f ON f.flow_key = m.flow_key WHERE f.pid = 200"));
    }

    private static byte[] Bytes(NetAddress a)
    {
        var b = new byte[16];
        a.WriteBytes(b);
        return b;
    }

    private static FlowIdentity Identity(uint pid, ushort localPort) => new(pid, FlowDirection.Outbound, 6,
        NetAddress.FromIPAddress(System.Net.IPAddress.Parse("192.168.1.10")), localPort, NetAddress.FromIPAddress(System.Net.IPAddress.Parse("93.184.216.34")), 443);

    [Fact]
    public async Task Import_QpcFrequencyOfZero_IsRefusedInOneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        var bytes = await File.ReadAllBytesAsync(RepoFiles.ContractV1Recording, TestContext.Current.CancellationToken);
        Assert.Equal(1_000_000_000, Sources.NettraceHeader.ReadQpcFrequency(new MemoryStream(bytes)));
        var at = bytes.AsSpan().IndexOf("Trace"u8) + 6 + 16 + 8;
        foreach (var frequency in new long[] { 0, 1, long.MaxValue })
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), frequency);
            var file = dir.File($"clock{frequency}.nettrace");
            await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);
            var run = await CliRun.RunAsync("import", file, "--db", dir.File("q.db"));
            Assert.Equal(4, run.Code);
            Assert.Contains(file, run.Error, StringComparison.Ordinal);
            Assert.Contains($"{frequency} Hz", run.Error, StringComparison.Ordinal);
            Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        }
    }

    [Theory]
    [InlineData("report", "--top", "1001")]
    [InlineData("report", "--top", "0")]
    [InlineData("top", "--rows", "100000")]
    [InlineData("query", "--timeout", "99999999999999d")]
    [InlineData("query", "--timeout", "1e308s")]
    [InlineData("query", "--timeout", "5ms")]
    [InlineData("query", "--timeout", "2d")]
    [InlineData("query", "--heap-limit", "1KB")]
    [InlineData("query", "--heap-limit", "99999999999TB")]
    public async Task EverySizeAUserAsksFor_IsBounded(string command, string option, string value)
    {
        using var dir = new TempDirectory();
        var db = await NewStore(dir);
        var args = command == "query" ? new[] { command, "--db", db, "--sql", "select 1", option, value } : [command, "--db", db, option, value, "--once"];
        if (command == "report") args = [command, "--db", db, option, value, "--out", dir.File("r.html")];
        var run = await CliRun.RunAsync(args);
        Assert.Equal(2, run.Code);
        Assert.Contains(option, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Sql_UnderTheHeapLimit_FailsInOneLine()
    {
        using var dir = new TempDirectory();
        var db = await NewStore(dir);
        var run = await CliRun.RunAsync("query", "--db", db, "--sql", "select length(randomblob(100000000)) || randomblob(100000000)", "--heap-limit", "32MB");
        Assert.Equal(10, run.Code);
        Assert.Contains("--heap-limit", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        var fine = await CliRun.RunAsync("query", "--db", db, "--sql", "select length(randomblob(1000000)) as n", "--format", "csv");
        Assert.Equal(0, fine.Code);
    }

    [Fact]
    public async Task EmptyDb_IsAnError_NotTheDefaultStore()
    {
        var run = await CliRun.RunAsync("stats", "--db", "");
        Assert.Equal(2, run.Code);
        Assert.Contains("--db: the path is empty", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_MalformedJsonAndWrongTypes_NameFileLineAndKey()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), "{ \"Collector\": {\n  \"DatabasePath\": \"x.db\",,\n} }");
        var malformed = Assert.ThrowsAny<Exception>(() => Configuration.StoreLocation.Resolve(null, dir.Path));
        var (code, message) = Cli.Failure.Describe(malformed);
        Assert.Equal(Cli.ExitCode.BadConfiguration, code);
        Assert.Contains(dir.File("appsettings.json"), message, StringComparison.Ordinal);
        Assert.Contains("line 2", message, StringComparison.Ordinal);

        var wrongType = Assert.ThrowsAny<InvalidOperationException>(() => new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Collector:QueueCapacity"] = "lots" }).Build()
            .GetSection("Collector").Get<Configuration.CollectorOptions>());
        (code, message) = Cli.Failure.Describe(wrongType);
        Assert.Equal(Cli.ExitCode.BadConfiguration, code);
        Assert.Contains("Collector:QueueCapacity", message, StringComparison.Ordinal);
        Assert.Contains("MONITORNETWORK_Collector__QueueCapacity", message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputFiles_FailWithTheirOwnExitCodes_AndLeaveTheOldFile()
    {
        using var dir = new TempDirectory();
        var target = dir.File("report.html");
        File.WriteAllText(target, "old");
        static Cli.ExitCode CodeOf(Action write) => Cli.Failure.Describe(Assert.ThrowsAny<Exception>(write)).Code;

        Assert.Equal(Cli.ExitCode.OutputNoSuchFolder, CodeOf(() => OutputFile.WriteText(dir.File("no/such/dir/r.html"), "--out", "x")));
        Assert.Equal(Cli.ExitCode.OutputPathTooLong, CodeOf(() => OutputFile.WriteText(dir.File(new string('a', 300) + ".html"), "--out", "x")));
        // What the OS says mid-write: ENOSPC (28), EROFS (30), EACCES.
        Assert.Equal(Cli.ExitCode.OutputDiskFull, CodeOf(() => OutputFile.Write(target, "--out", _ => throw new IOException("No space left on device", 28))));
        Assert.Equal(Cli.ExitCode.OutputReadOnly, CodeOf(() => OutputFile.Write(target, "--out", _ => throw new IOException("Read-only file system", 30))));
        Assert.Equal(Cli.ExitCode.OutputReadOnly, CodeOf(() => OutputFile.Write(target, "--out", _ => throw new UnauthorizedAccessException("denied"))));
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(["report.html"], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no temporary left
    }

    private static async Task<string> NewStore(TempDirectory dir)
    {
        var db = dir.File("mn.db");
        var run = await CliRun.RunAsync("import", RepoFiles.ContractV1Recording, "--db", db);
        Assert.Equal(0, run.Code);
        return db;
    }
}
