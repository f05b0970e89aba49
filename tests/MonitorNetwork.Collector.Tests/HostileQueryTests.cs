// Queries under hostile use: a recursive CTE that never ends, one that returns rows forever, results larger than a
// table should hold, statements that would create files, control characters aimed at the terminal, and output that
// must keep its types. Each ends with one line and its own exit code, and nothing is left behind.
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public sealed class HostileQueryTests : IClassFixture<NamedQueryGoldenTests.Fixture>
{
    private readonly GoldenStore _store;

    public HostileQueryTests(NamedQueryGoldenTests.Fixture fixture) => _store = fixture.Store;

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => CliRun.RunAsync(args);

    [Fact]
    public async Task RecursiveCteThatNeverEnds_StoppedAtTheTimeout()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = await Run("query", "--db", _store.DatabasePath, "--timeout", "1s",
            "--sql", "with recursive c(x) as (select 1 union all select x + 1 from c) select max(x) from c");
        Assert.Equal((int)ExitCode.QueryTimeout, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("ran past its 1 s limit", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task EndlessRows_StreamAsTheyComeThenStop()
    {
        var (code, output, _) = await Run("query", "--db", _store.DatabasePath, "--timeout", "1s", "--format", "csv",
            "--sql", "with recursive c(x) as (select 1 union all select x + 1 from c) select x from c");
        Assert.Equal((int)ExitCode.QueryTimeout, code);
        var lines = output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("x", lines[0]);
        // Rows written before the timeout stopped the query are rows that were streamed: a writer that collected them
        // first writes none. How many depends on the machine's load (CI failed at 10,000 once, under a parallel
        // build), so the bound is far below any machine's rate, never a speed target.
        Assert.True(lines.Length > 100, $"only {lines.Length} lines were written before the stop: rows are not streamed");
    }

    [Fact]
    public async Task Table_StopsAtItsCap_AndSaysHowManyItLeftOut()
    {
        var sql = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1500) select x from c";
        var (code, output, _) = await Run("query", "--db", _store.DatabasePath, "--sql", sql);
        Assert.Equal(0, code);
        Assert.Contains("1500 rows; the first 1000 shown, 500 left out", output);
        var (_, capped, _) = await Run("query", "--db", _store.DatabasePath, "--sql", sql, "--max-rows", "10");
        Assert.Contains("the first 10 shown, 1490 left out", capped);
        var (_, csv, _) = await Run("query", "--db", _store.DatabasePath, "--sql", sql, "--format", "csv");
        Assert.Equal(1501, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("vacuum into '{0}'")]
    [InlineData("attach database '{0}' as x")]
    [InlineData("pragma journal_mode = delete")]
    public async Task FileCreatingOrSettingStatements_RefusedBeforeTheyRun(string template)
    {
        using var dir = new TempDirectory();
        var target = dir.File("copy.db");
        var (code, _, error) = await Run("query", "--db", _store.DatabasePath, "--sql", string.Format(System.Globalization.CultureInfo.InvariantCulture, template, target));
        Assert.Equal((int)ExitCode.QueryFailed, code);
        Assert.Contains("refused before it ran", error);
        Assert.False(File.Exists(target), "the statement created a file");
        var (ok, _, _) = await Run("query", "--db", _store.DatabasePath, "--sql", "pragma table_info('flow')");
        Assert.Equal(0, ok); // reading PRAGMAs stay allowed
    }

    [Fact]
    public async Task ControlCharacters_ShownNotSentToTheTerminal()
    {
        var (code, output, _) = await Run("query", "--db", _store.DatabasePath, "--sql", "select 'evil' || char(27) || '[2J' || char(7) as path");
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u0007', output);
        Assert.Contains("evil\\x1b[2J\\x07", output); // shown as escapes (Output/DisplayText), never sent
        var (_, csv, _) = await Run("query", "--db", _store.DatabasePath, "--format", "csv", "--sql", "select 'a,b' || char(10) || 'c' as v");
        Assert.Equal("v\r\n\"a,b\nc\"\r\n", csv); // CSV escapes as RFC 4180 says
    }

    [Fact]
    public async Task Json_NumbersStayNumbers_Utf8Unescaped_BlobsHex()
    {
        var (code, output, _) = await Run("query", "flows", "--db", _store.DatabasePath, "--format", "json", "--param", "limit=1");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var flowId = doc.RootElement[0].GetProperty("flow_id");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, flowId.ValueKind);
        Assert.True(flowId.GetUInt64() >= 0x8000_0000_0000_0000UL); // above 2^63: unsigned, exact
        var (_, text, _) = await Run("query", "--db", _store.DatabasePath, "--format", "json", "--sql", "select 'Zoë 日本' as s, x'00ff' as b");
        Assert.Contains("\"s\": \"Zoë 日本\"", text);
        Assert.Contains("\"b\": \"00ff\"", text);
    }

    [Theory]
    [InlineData("--format", "yaml")]
    [InlineData("--sql", "")]
    [InlineData("--sql", "   ")]
    [InlineData("--timeout", "soon")]
    [InlineData("--max-rows", "0")]
    public async Task BadOptions_OneLineAndUsage(string option, string value)
    {
        var (code, _, error) = await Run("query", "--db", _store.DatabasePath, option == "--sql" ? "--sql" : "--sql", option == "--sql" ? value : "select 1", option == "--sql" ? "--timeout" : option, option == "--sql" ? "30s" : value);
        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        if (option == "--format") Assert.Contains("not table, csv or json", error);
    }
}
