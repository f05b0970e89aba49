// `monitornetwork report [--db PATH] [--since 24h] [--until T] [--top N] [--out report.html]`: one self-contained HTML page.
using System.CommandLine;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Report;

namespace MonitorNetwork.Collector.Cli.Commands;

/// <summary>Defines and runs the report command.</summary>
internal static class ReportCommand
{
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
            var data = ReportBuilder.Build(StoreLocation.Resolve(parse.GetValue(db)), sinceUs, untilUs, parse.GetValue(top), now);
            var html = HtmlReport.Render(data);
            var target = parse.GetValue(output)!;
            if (target == "-")
            {
                CliStreams.Out.Write(html);
                return (int)ExitCode.Success;
            }
            Write(target, html);
            CliStreams.Out.WriteLine($"wrote {Path.GetFullPath(target)} ({html.Length / 1024.0:F0} KiB)");
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static long Time(string option, string text, DateTimeOffset now) => ParameterBinder.ParseTime(text, now)
        ?? throw new MonitorNetworkException(FailureKind.Usage, $"{option}: '{text}' is not a time (ISO-8601 UTC, relative such as 24h, 0 or max)");

    /// <summary>Writes beside the target and renames, so a reader (or a browser reloading) never sees half a page.</summary>
    private static void Write(string target, string html)
    {
        var full = Path.GetFullPath(target);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) throw new MonitorNetworkException(FailureKind.NotFound, $"--out: no such directory: {directory}");
        if (Directory.Exists(full)) throw new MonitorNetworkException(FailureKind.Usage, $"--out: {full} is a directory; give a file name");
        var temporary = full + ".partial";
        try
        {
            File.WriteAllText(temporary, html);
            File.Move(temporary, full, overwrite: true);
        }
        catch (UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new MonitorNetworkException(FailureKind.AccessDenied, $"--out: cannot write {full}: access denied");
        }
    }
}
