// The report in a real browser: Debian's headless Chromium, driven by Playwright through its executable path.
// The page must load with no console error, make no request beyond its own file, and draw the series the data
// holds. A screenshot is kept under artifacts/screenshots for a human to look at.
using Microsoft.Playwright;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Report;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ReportBrowserTests
{
    /// <summary>The system Chromium, or null (the test then skips with one line).</summary>
    private static string? FindChromium() =>
        new[] { Environment.GetEnvironmentVariable("MONITORNETWORK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    [Fact]
    public async Task Report_InHeadlessChromium_LoadsCleanly_RequestsNothing_DrawsEverySeries()
    {
        var chromium = FindChromium();
        if (chromium is null) Assert.Skip("no Chromium at /usr/bin/chromium (apt-get install chromium, or set MONITORNETWORK_CHROMIUM)");

        using var dir = new TempDirectory();
        using var golden = new GoldenStore();
        var data = ReportBuilder.Build(golden.DatabasePath, 0, ParameterBinder.MaxTimeUs, 10, DateTimeOffset.UtcNow);
        var file = dir.File("report.html");
        await File.WriteAllTextAsync(file, HtmlReport.Render(data), TestContext.Current.CancellationToken);
        var pageUrl = new Uri(file).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        var problems = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) => { if (message.Type is "error" or "warning") problems.Add($"console {message.Type}: {message.Text}"); };
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.Request += (_, request) => requests.Add(request.Url);
        page.RequestFailed += (_, request) => problems.Add("request failed: " + request.Url);

        var response = await page.GotoAsync(pageUrl, new() { WaitUntil = WaitUntilState.NetworkIdle });
        Assert.NotNull(response);
        Assert.Empty(problems);
        Assert.Equal([pageUrl], requests);

        // What the browser parsed, not what the text says: SVG point lists and bar rectangles per series.
        var traffic = await page.EvaluateAsync<int[]>("Array.from(document.querySelectorAll('#traffic polyline[data-series]'), p => p.points.numberOfItems)");
        Assert.Equal([data.Timeline.Count, data.Timeline.Count], traffic);
        var processes = await page.EvaluateAsync<int[]>("Array.from(document.querySelectorAll('#top-processes g[data-series]'), g => g.querySelectorAll('rect').length)");
        Assert.Equal([data.TopProcesses.Rows.Count, data.TopProcesses.Rows.Count], processes);
        var remotes = await page.EvaluateAsync<int[]>("Array.from(document.querySelectorAll('#top-remotes g[data-series]'), g => g.querySelectorAll('rect').length)");
        Assert.Equal([data.TopRemotes.Rows.Count, data.TopRemotes.Rows.Count], remotes);
        // The usage chart as the browser parsed it: a polygon per program, each with a point a bucket on its top edge.
        var usage = await page.EvaluateAsync<int[]>("Array.from(document.querySelectorAll('#usage polygon[data-series]'), p => p.points.numberOfItems)");
        Assert.Equal(data.Usage.Programs.Count, usage.Length);
        Assert.All(usage, n => Assert.Equal(2 * Math.Max(2, data.Usage.Buckets.Count), n));
        Assert.Equal(7, await page.Locator("section h2").CountAsync());

        var screenshots = RepoFiles.PathOf("artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "report.png"), FullPage = true });
        var pdf = await page.PdfAsync(); // printing must work: Chromium lays the page out for paper
        Assert.True(pdf.Length > 1000);
    }
}
