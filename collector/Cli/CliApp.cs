// The command line: builds the commands, turns parse errors into one line and exit code 2, and maps every
// failure to its exit code through Failure.Describe. No stack trace ever reaches the user.
using System.CommandLine;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Entry point logic of monitornetwork, callable in-process by tests.</summary>
public static class CliApp
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand CreateRootCommand() => new("MonitorNetwork: Windows network telemetry (WFP driver + ETW) into a SQLite database")
    {
        CollectCommand.Create(),
        ImportCommand.Create(),
        QueryCommand.Create(),
        QueriesCommand.Create(),
        StatsCommand.Create(),
        ExportCommand.Create(),
        ReportCommand.Create(),
        TopCommand.Create(),
        ServiceCommand.Create(),
    };

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? error = null, TextWriter? output = null)
    {
        error ??= Console.Error;
        CliStreams.Use(output);
        var notices = error;
        Store.StoreDatabase.Notices = line => notices.WriteLine("monitornetwork: " + Output.DisplayText.OneLine(line));
        var root = CreateRootCommand();
        var parse = root.Parse(args);
        try
        {
            // A bad command line is a failure like any other: one line, through Failure.Describe.
            if (args.Length > 0 && !args[0].StartsWith('-') && root.Subcommands.All(c => c.Name != args[0]))
                throw new MonitorNetworkException(FailureKind.Usage,
                    $"unknown command '{args[0]}' (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})");
            if (parse.Errors.Count > 0)
                throw new MonitorNetworkException(FailureKind.Usage,
                    string.Join(' ', parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) + " (see 'monitornetwork --help')");
            // Ctrl+C is ours (StopSignals / the host lifetime), so the parser must not install its own handler.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false })
                .ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The single place where any failure becomes one line and an exit code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var (code, message) = Failure.Describe(ex);
            // The message may quote a file name, a path or SQL a user was handed: one line, nothing a terminal obeys.
            error.WriteLine($"monitornetwork: error: {Output.DisplayText.OneLine(message)}");
            // For bug reports: the one place a stack trace may appear, and only when asked for.
            if (Environment.GetEnvironmentVariable("MONITORNETWORK_DEBUG") == "1") error.WriteLine(ex);
            return (int)code;
        }
    }
}
