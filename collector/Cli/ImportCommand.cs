// `monitornetwork import FILE...`: the command line, the progress bar when stderr is a terminal, and the lines it
// prints; what an import does (which reader, which recordings the store has already, the run's settings) is
// Hosting/RecordingImport's.
using System.CommandLine;
using Microsoft.Extensions.Logging;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;
using Spectre.Console;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the import command.</summary>
internal static class ImportCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = ".nettrace or .etl recordings", Arity = ArgumentArity.OneOrMore };
        files.Validators.Add(result =>
        {
            // The parser hands unknown options to the argument; a file name that looks like an option is a typo.
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-') && !File.Exists(t.Value)))
                result.AddError($"Unrecognized command or argument '{token.Value}'.");
        });
        var db = CommonOptions.Database();
        var again = new Option<bool>("--again") { Description = "Import a recording even if the store has it already (its events count twice)" };
        var replace = new Option<bool>("--replace") { Description = "Import a recording in place of the earlier import of the same file (an interrupted one, say)" };
        var command = new Command("import", "Import .nettrace (any OS) or .etl (Windows) recordings into the SQLite store") { files, db, again, replace };
        command.SetAction((parse, token) =>
        {
            if (parse.GetValue(again) && parse.GetValue(replace))
                throw new MonitorNetworkException(FailureKind.Usage, "--again and --replace exclude each other");
            return RunAsync(parse.GetValue(files)!, StoreLocation.Resolve(parse.GetValue(db)), parse.GetValue(again), parse.GetValue(replace), token);
        });
        return command;
    }

    private static async Task<int> RunAsync(string[] files, string database, bool again, bool replace, CancellationToken token)
    {
        var sources = RecordingImport.SourcesFor(files); // fail on a bad name before anything is written
        if (!again) RecordingImport.CheckNotImported(sources, database, replace);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var signals = StopSignals.Register(cancel.Cancel);
        var settings = RecordingImport.Settings(database, again);
        // Store failures (a full disk) go to stderr as they happen; the summary line still says what was dropped.
        using var logging = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter(level => level >= LogLevel.Warning));
        var logger = logging.CreateLogger("monitornetwork");
        foreach (var source in sources)
        {
            var result = await ImportOneAsync(settings, source, logger, cancel.Token).ConfigureAwait(false);
            var c = result.Counters;
            CliStreams.Out.WriteLine(
                $"{Output.DisplayText.OneLine(source.Detail)}: {result.Status.Text()}: {c.Written:N0} events written in {result.Elapsed.TotalSeconds:F1} s " +
                $"({c.Received / Math.Max(result.Elapsed.TotalSeconds, 1e-3):N0}/s); dropped {c.Dropped}, lost {c.Lost}, malformed {c.Malformed}, unknown {c.Unknown}; session {result.SessionId}");
            if (result.Status == SessionStatus.Interrupted) return (int)ExitCode.Interrupted;
            if (c.Received == 0 && c.Unknown == 0 && c.Malformed == 0) CliStreams.Out.WriteLine(NoneOfOurs(source.Detail, result.OtherProviders));
        }
        return (int)ExitCode.Success;
    }

    /// <summary>The hint for a recording that held none of our events: what it held, and how to record ours.</summary>
    internal static string NoneOfOurs(string? detail, IReadOnlyDictionary<string, long> otherProviders)
    {
        var seen = otherProviders.Count == 0 ? "no events at all"
            : "only events of " + string.Join(", ", otherProviders.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(5)
                .Select(p => $"{Output.DisplayText.OneLine(p.Key)} ({p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)})"))
              + (otherProviders.Count > 5 ? $" and {otherProviders.Count - 5} more providers" : "");
        return $"note: {Output.DisplayText.OneLine(detail)} holds none of MonitorNetwork's events ({seen}). Record them with WPR on Windows " +
               "(wpr -start recording\\MonitorNetwork.wprp, then wpr -stop trace.etl), or with dotnet-trace from a process that emits them " +
               "(dotnet-trace collect --providers MonitorNetwork,Microsoft-Windows-DNS-Client -p PID)";
    }

    private static async Task<RunResult> ImportOneAsync(RunSettings settings, ITraceSource source, ILogger logger, CancellationToken token)
    {
        if (Console.IsErrorRedirected)
            return await CollectionRun.ExecuteAsync(settings, source, token, logger).ConfigureAwait(false);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        RunResult? result = null;
        await console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask(Path.GetFileName(source.Detail ?? "import"), maxValue: 1.0);
            result = await CollectionRun.ExecuteAsync(settings, source, token, logger, onPoll: (s, c) =>
            {
                task.Value = s.Progress ?? 0;
                task.Description = $"{Path.GetFileName(s.Detail)} {c.Written:N0} events";
            }).ConfigureAwait(false);
            task.Value = 1.0;
        }).ConfigureAwait(false);
        return result!;
    }
}
