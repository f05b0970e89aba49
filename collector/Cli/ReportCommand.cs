// `monitornetwork report [--db PATH] [--since 24h] [--until T] [--top N] [--out report.html]`: one self-contained HTML page.
using System.CommandLine;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Report;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the report command.</summary>
internal static class ReportCommand
{
    /// <summary>The most rows a ranked section may have: a page a browser still opens (one request made 68 MB).</summary>
    internal const int MaxTop = 1000;

    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var since = new Option<string>("--since") { Description = "Start of the window (ISO-8601 UTC, relative such as 24h, or 0 for all)", DefaultValueFactory = _ => "24h", HelpName = "T" };
        var until = new Option<string>("--until") { Description = "End of the window, exclusive (ISO-8601 UTC, relative, or max)", DefaultValueFactory = _ => "max", HelpName = "T" };
        var top = new Option<int>("--top") { Description = "Rows in each ranked section", DefaultValueFactory = _ => 10, HelpName = "N" };
        var output = new Option<string>("--out", "-o") { Description = "The HTML file to write, or - for standard output", DefaultValueFactory = _ => "monitornetwork-report.html", HelpName = "FILE" };
        var command = new Command("report", "Write a self-contained HTML report: traffic over time, top processes and remotes, new remotes, listeners, loss") { db, since, until, top, output };
        command.SetAction(parse =>
        {
            var now = DateTimeOffset.UtcNow;
            var sinceUs = Time("--since", parse.GetValue(since)!, now);
            var untilUs = Time("--until", parse.GetValue(until)!, now);
            var rows = parse.GetValue(top);
            if (rows is < 1 or > MaxTop) throw new MonitorNetworkException(FailureKind.Usage, $"--top: {rows} is out of range (1 to {MaxTop})");
            var database = StoreLocation.Resolve(parse.GetValue(db));
            var target = parse.GetValue(output)!;
            if (target != "-") Output.OutputFile.Check(target, "--out", [database]); // before the work, not after
            var windowIsDefault = parse.GetResult(since) is null or { Implicit: true } && parse.GetResult(until) is null or { Implicit: true };
            var data = ReportBuilder.Build(database, sinceUs, untilUs, rows, now, windowIsDefault);
            // The page says it too; with the page on standard output, the line goes to standard error.
            if (data.WindowNote is { } note) (target == "-" ? Console.Error : CliStreams.Out).WriteLine("report: " + Output.DisplayText.OneLine(note));
            var html = HtmlReport.Render(data);
            if (target == "-")
            {
                CliStreams.Out.Write(html);
                return (int)ExitCode.Success;
            }
            Output.OutputFile.WriteText(target, "--out", html, [database]);
            CliStreams.Out.WriteLine($"wrote {Output.DisplayText.OneLine(Path.GetFullPath(target))} ({html.Length / 1024.0:F0} KiB)");
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static long Time(string option, string text, DateTimeOffset now) => ParameterBinder.ParseTime(text, now)
        ?? throw new MonitorNetworkException(FailureKind.Usage, $"{option}: '{text}' is not a time (ISO-8601 UTC, relative such as 24h, 0 or max)");
}
