// The named-query catalogue: every file is documented, and every query prepares and runs against a fresh schema,
// so a schema change that breaks a query fails CI.
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class QueryCatalogTests
{
    public static TheoryData<string> Names() => new(QueryCatalog.All.Select(q => q.Name));

    [Fact]
    public void Catalog_HasEveryRequiredQuery_AndEveryFileInQueriesFolder()
    {
        string[] required = ["top-processes", "top-remotes", "timeline", "flows", "new-remotes", "listeners", "loss"];
        Assert.All(required, n => Assert.NotNull(QueryCatalog.Find(n)));
        var files = Directory.GetFiles(RepoFiles.PathOf("queries"), "*.sql").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(files, QueryCatalog.All.Select(q => q.Name).Order());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Query_IsDocumented_AndRunsOnFreshSchemaWithDefaults(string name)
    {
        var query = QueryCatalog.Find(name)!;
        Assert.False(string.IsNullOrWhiteSpace(query.Title));
        Assert.False(string.IsNullOrWhiteSpace(query.Description));
        Assert.False(string.IsNullOrWhiteSpace(query.Why));
        Assert.All(query.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
        Assert.All(query.Parameters, p => Assert.Contains("@" + p.Name, query.Sql));
        using var dir = new TempDirectory();
        var db = dir.File("fresh.db");
        using (StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1))) { }
        var result = QueryExecutor.Run(db, query, ParameterBinder.Bind(query, [], DateTimeOffset.UtcNow));
        Assert.NotEmpty(result.Columns);
        Assert.Empty(result.Rows);
    }

    [Theory]
    [InlineData("-- title: t\n-- description: d\nSELECT 1", "title, description and why")]
    [InlineData("-- title: t\n-- description: d\n-- why: w\n-- param: x | weird | 1 | d\nSELECT @x", "unknown parameter type")]
    [InlineData("-- title: t\n-- description: d\n-- why: w\n-- param: x | int\nSELECT @x", "name | type | default | description")]
    [InlineData("-- title: t\n-- description: d\n-- why: w\n", "no SQL")]
    public void Parse_BadHeader_SaysWhat(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => QueryCatalog.Parse("q", text)).Message);
}

public class ParameterBinderTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NamedQuery Flows = QueryCatalog.Find("flows")!;

    [Theory]
    [InlineData("2026-01-01T00:00:00Z", 1_767_225_600_000_000L)]
    [InlineData("2026-01-01", 1_767_225_600_000_000L)]
    [InlineData("2026-01-01T01:00:00+01:00", 1_767_225_600_000_000L)]
    [InlineData("0", 0L)]
    [InlineData("max", ParameterBinder.MaxTimeUs)]
    [InlineData("24h", 1_780_228_800_000_000L)]
    [InlineData("90s", 1_780_315_110_000_000L)]
    [InlineData("now", 1_780_315_200_000_000L)]
    public void ParseTime_AcceptsCommonForms(string text, long expectedUs) => Assert.Equal(expectedUs, ParameterBinder.ParseTime(text, Now));

    [Fact]
    public void Bind_FillsDefaults_AndCanonicalisesAddresses()
    {
        var bound = ParameterBinder.Bind(Flows, ["remote=::ffff:10.0.0.1", "@limit=5"], Now);
        Assert.Equal("10.0.0.1", bound["remote"]);
        Assert.Equal(5L, bound["limit"]);
        Assert.Equal(0L, bound["since"]);
        Assert.Equal(ParameterBinder.MaxTimeUs, bound["until"]);
        Assert.Equal("", bound["process"]);
    }

    [Theory]
    [InlineData("nosuch=1", "has no parameter 'nosuch'")]
    [InlineData("limit", "is not name=value")]
    [InlineData("=5", "is not name=value")]
    [InlineData("limit=ten", "is not a whole number")]
    [InlineData("limit=-1", "is not a whole number")]
    [InlineData("since=yesterday-ish", "is not a time")]
    [InlineData("remote=10.0.0.300", "is not an IPv4 or IPv6 address")]
    public void Bind_BadParameter_IsUsageError(string assignment, string message)
    {
        var ex = Assert.Throws<MonitorNetworkException>(() => ParameterBinder.Bind(Flows, [assignment], Now));
        Assert.Equal(FailureKind.Usage, ex.Kind);
        Assert.Contains(message, ex.Message);
    }
}
