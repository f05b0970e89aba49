// monitornetwork report: the page's content comes from the named queries, loses no bucket, is self-contained,
// escapes what the monitored machine wrote, and fails on bad input with one line and an exit code.
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Report;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public partial class ReportTests
{
    /// <summary>A store holding the shipped demo recording.</summary>
    internal static async Task<string> DemoStoreAsync(TempDirectory dir)
    {
        var db = dir.File("demo.db");
        var import = await CliRun.RunAsync("import", RepoFiles.ContractV1Recording, "--db", db);
        Assert.True(import.Code == 0, import.Error);
        return db;
    }

    [Fact]
    public void Timeline_HoldsEveryByteOfTheTimelineQuery_InEvenlySpacedBuckets()
    {
        using var golden = new GoldenStore(); // an hour of traffic, minutes apart: the demo recording spans milliseconds
        var db = golden.DatabasePath;
        var data = ReportBuilder.Build(db, 0, ParameterBinder.MaxTimeUs, 10, DateTimeOffset.UtcNow);

        var perMinute = RoutedStore.Query(db, "timeline", "since=0", "bucket=60");
        Assert.NotEmpty(perMinute.Rows);
        Assert.Equal(perMinute.Rows.Sum(r => (long)r[2]!), data.Timeline.Sum(p => p.BytesIn));
        Assert.Equal(perMinute.Rows.Sum(r => (long)r[3]!), data.Timeline.Sum(p => p.BytesOut));
        Assert.InRange(data.Timeline.Count, 2, ReportBuilder.MaxTimelinePoints + 1);
        var steps = data.Timeline.Zip(data.Timeline.Skip(1), (a, b) => b.StartUs - a.StartUs).Distinct().ToList();
        Assert.Equal([data.BucketSeconds * 1_000_000], steps);
    }

    [Fact]
    public void Page_ChartsOneSeriesPerDirection_WithAPointPerBucketAndABarPerRankedRow()
    {
        using var golden = new GoldenStore();
        var db = golden.DatabasePath;
        var data = ReportBuilder.Build(db, 0, ParameterBinder.MaxTimeUs, 3, DateTimeOffset.UtcNow);
        var html = HtmlReport.Render(data);

        var traffic = Section(html, "traffic");
        Assert.Equal(["bytes in", "bytes out"], Series(traffic).Select(s => s.Name));
        Assert.All(Series(traffic), s => Assert.Equal(data.Timeline.Count, s.Points));
        var polyline = Regex.Match(traffic, "<polyline [^>]*points=\"([^\"]*)\"").Groups[1].Value;
        Assert.Equal(data.Timeline.Count, polyline.Split(' ').Length);

        var expected = RoutedStore.Query(db, "top-processes", "since=0", "limit=3").Rows.Count;
        Assert.Equal(3, expected);
        Assert.All(Series(Section(html, "top-processes")), s => Assert.Equal(expected, s.Points));
        foreach (var (id, rows) in new[] { ("new-remotes", data.NewRemotes), ("listeners", data.Listeners), ("loss", data.Loss) })
            Assert.Equal(rows.Rows.Count, Regex.Matches(Section(html, id), "<tr><td").Count);
        Assert.NotEmpty(data.Loss.Rows);
        Assert.Contains(Path.GetFullPath(db), html);
    }

    [Fact]
    public async Task Page_RefersToNothingOutsideItself()
    {
        using var dir = new TempDirectory();
        var html = HtmlReport.Render(ReportBuilder.Build(await DemoStoreAsync(dir), 0, ParameterBinder.MaxTimeUs, 10, DateTimeOffset.UtcNow));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        // The only URL is the SVG namespace, which is a name, not a request.
        Assert.All(Regex.Matches(html, "(?:https?:)?//[^\"'<> ]+").Select(m => m.Value), url => Assert.Equal("http://www.w3.org/2000/svg", url));
        Assert.Contains("default-src 'none'", html);
    }

    [Fact]
    public async Task Page_EscapesMarkupFromTheMonitoredMachine()
    {
        using var dir = new TempDirectory();
        var db = await DemoStoreAsync(dir);
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE image SET process_path = '<script>alert(1)</script>\"><img src=x>' WHERE image_id IN (SELECT image_id FROM flow_row WHERE pid = 4120)";
            Assert.True(update.ExecuteNonQuery() > 0);
        }
        var html = HtmlReport.Render(ReportBuilder.Build(db, 0, ParameterBinder.MaxTimeUs, 10, DateTimeOffset.UtcNow));
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public async Task Command_WritesTheFileAndSaysWhere()
    {
        using var dir = new TempDirectory();
        var db = await DemoStoreAsync(dir);
        var output = dir.File("report.html");
        var run = await CliRun.RunAsync("report", "--db", db, "--since", "0", "--out", output);
        Assert.True(run.Code == 0, run.Error);
        Assert.StartsWith("wrote " + output, run.Out);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(output));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Theory]
    [InlineData("--since", "yesterday-ish", 2, "--since: 'yesterday-ish' is not a time")]
    [InlineData("--top", "0", 2, "--top: 0 is out of range")]
    [InlineData("--out", "/nonexistent-dir/r.html", 20, "--out: no such folder: /nonexistent-dir")]
    public async Task Command_BadInput_OneLineAndItsExitCode(string option, string value, int code, string message)
    {
        using var dir = new TempDirectory();
        var db = await DemoStoreAsync(dir);
        string[] output = option == "--out" ? [] : ["--out", dir.File("r.html")];
        var run = await CliRun.RunAsync(["report", "--db", db, option, value, .. output]);
        Assert.Equal(code, run.Code);
        Assert.Equal("monitornetwork: error: " + message, run.Error.Trim().Split('\n').Single().Split(" (")[0].TrimEnd());
    }

    [Fact]
    public async Task Command_MissingDatabase_IsNotFoundAndCreatesNothing()
    {
        using var dir = new TempDirectory();
        var run = await CliRun.RunAsync("report", "--db", dir.File("absent.db"), "--out", dir.File("r.html"));
        Assert.Equal(3, run.Code);
        Assert.False(File.Exists(dir.File("absent.db")));
        Assert.False(File.Exists(dir.File("r.html")));
    }

    internal static string Section(string html, string id) =>
        Regex.Match(html, $"<section id=\"{id}\">.*?</section>", RegexOptions.Singleline).Value is { Length: > 0 } s ? s : throw new Xunit.Sdk.XunitException($"no section {id}");

    private static List<(string Name, int Points)> Series(string html) =>
        SeriesPattern().Matches(html).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();

    [GeneratedRegex("data-series=\"([^\"]*)\" data-points=\"([0-9]+)\"")]
    private static partial Regex SeriesPattern();
}
