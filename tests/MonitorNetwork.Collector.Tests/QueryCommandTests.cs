// `query`, `queries` and `stats` through the real command line: formats, read-only SQL and every refusal.
using System.Text.Json;
using Dapper;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public sealed class QueryCommandTests : IClassFixture<NamedQueryGoldenTests.Fixture>
{
    private readonly GoldenStore _store;

    public QueryCommandTests(NamedQueryGoldenTests.Fixture fixture) => _store = fixture.Store;

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => CliRun.RunAsync(args);

    [Fact]
    public async Task Query_Csv_IsRfc4180WithHeader()
    {
        var (code, output, error) = await Run("query", "top-processes", "--db", _store.DatabasePath, "--format", "csv");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("pid,process_path,flows,packets,bytes_in,bytes_out", lines[0]);
        Assert.Equal(QueryCommand.Execute("top-processes", null, [], _store.DatabasePath).Rows.Count + 1, lines.Length);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void Csv_Escape_FollowsRfc4180(string field, string expected) => Assert.Equal(expected, CsvResultWriter.Escape(field));

    [Fact]
    public async Task Query_Json_IsArrayOfObjectsWithTypedValues()
    {
        var (code, output, _) = await Run("query", "loss", "--db", _store.DatabasePath, "--format", "json");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(output).RootElement;
        Assert.Equal(JsonValueKind.Array, rows.ValueKind);
        Assert.Equal(1234, rows[0].GetProperty("received").GetInt64());
        Assert.Equal("completed", rows[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Query_Table_IsAlignedWithRowCount()
    {
        var (code, output, _) = await Run("query", "listeners", "--db", _store.DatabasePath);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var tableLines = lines.Where(l => l.StartsWith('|') || l.StartsWith('+')).ToList();
        Assert.True(tableLines.Count > 3);
        Assert.Single(tableLines.Select(l => l.Length).Distinct()); // every line of the table is the same width
        Assert.Contains("local_port", lines.First(l => l.StartsWith('|')));
        Assert.Matches(@"^\d+ rows?$", lines[^1]);
    }

    [Fact]
    public async Task Sql_ReadOnlySelect_Works_AndWritesAreRefused()
    {
        var (code, output, _) = await Run("query", "--sql", "select count(*) as n from flow", "--db", _store.DatabasePath, "-f", "csv");
        Assert.Equal(0, code);
        Assert.StartsWith("n\r\n", output);
        foreach (var write in new[] { "delete from flow_row", "update flow_row set pid = 0", "drop table packet", "create table t(x)", "pragma user_version = 9" })
        {
            var (refused, _, error) = await Run("query", "--sql", write, "--db", _store.DatabasePath);
            Assert.Equal((int)ExitCode.QueryFailed, refused);
            Assert.Contains("read-only", error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        using var db = StoreAssert.Open(_store.DatabasePath);
        Assert.Equal(_store.Events.OfType<Events.FlowEstablishedEvent>().Count() + 1, db.ExecuteScalar<int>("select count(*) from flow"));
    }

    [Theory]
    [InlineData((int)ExitCode.Usage, "query", "no-such-query")]
    [InlineData((int)ExitCode.Usage, "query", "flows", "--param", "bogus=1")]
    [InlineData((int)ExitCode.Usage, "query", "flows", "--param", "limit")]
    [InlineData((int)ExitCode.Usage, "query", "flows", "--param", "since=someday")]
    [InlineData((int)ExitCode.Usage, "query")]
    [InlineData((int)ExitCode.Usage, "query", "flows", "--sql", "select 1")]
    [InlineData((int)ExitCode.Usage, "query", "flows", "--format", "xml")]
    [InlineData((int)ExitCode.QueryFailed, "query", "--sql", "select * from no_such_table")]
    public async Task Query_BadInput_OneLineAndExitCode(int expected, params string[] args)
    {
        var (code, _, error) = await Run([.. args, "--db", _store.DatabasePath]);
        Assert.Equal(expected, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("monitornetwork:", error);
    }

    [Fact]
    public async Task Query_MissingOrNewerDatabase_IsRefused()
    {
        using var dir = new TempDirectory();
        var (missing, _, _) = await Run("query", "loss", "--db", dir.File("none.db"));
        Assert.Equal((int)ExitCode.NotFound, missing);
        Assert.False(File.Exists(dir.File("none.db")));
        var newer = dir.File("newer.db");
        using (var c = StoreDatabase.OpenForWriting(newer, TimeSpan.FromSeconds(1))) c.Execute("PRAGMA user_version = 42");
        var (tooNew, _, error) = await Run("query", "loss", "--db", newer);
        Assert.Equal((int)ExitCode.DatabaseTooNew, tooNew);
        Assert.Contains("newer", error);
    }

    [Fact]
    public async Task Queries_ListsEveryQueryWithParameters()
    {
        var (code, output, _) = await Run("queries");
        Assert.Equal(0, code);
        foreach (var q in QueryCatalog.All)
        {
            Assert.Contains($"{q.Name}: {q.Title}", output);
            Assert.All(q.Parameters, p => Assert.Contains($"--param {p.Name}=", output));
        }
    }

    [Fact]
    public async Task Stats_SummarisesCountsRangeSessionsAndSize()
    {
        var (code, output, _) = await Run("stats", "--db", _store.DatabasePath);
        Assert.Equal(0, code);
        var packets = _store.Events.OfType<Events.PacketEvent>().Count();
        Assert.Contains($"{packets:N0} (", output);
        // Exact to the microsecond, not the minute: the first and last events the store holds.
        var times = _store.Events.Where(e => e is Events.PacketEvent or Events.FlowEstablishedEvent or Events.FlowDeletedEvent).Select(e => e.TimestampUs).ToList();
        string At(long us) => Events.UnixMicros.Format(us, "yyyy-MM-dd HH:mm:ss.ffffff'Z'");
        Assert.Matches($@"first event\s+{System.Text.RegularExpressions.Regex.Escape(At(times.Min()))}", output);
        Assert.Matches($@"last event\s+{System.Text.RegularExpressions.Regex.Escape(At(times.Max()))}", output);
        Assert.Contains("dropped 30, lost 4, malformed 2, unknown 1", output);
        Assert.Contains("MiB", output);
    }
}
