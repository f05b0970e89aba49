// `monitornetwork queries`: the named queries with their descriptions and parameters.
using System.CommandLine;
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the queries command.</summary>
internal static class QueriesCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var command = new Command("queries", "List the named queries with their descriptions and parameters");
        command.SetAction(_ =>
        {
            Write(CliStreams.Out);
            return (int)ExitCode.Success;
        });
        return command;
    }

    /// <summary>Writes the catalogue as plain text.</summary>
    internal static void Write(TextWriter output)
    {
        foreach (var q in QueryCatalog.All)
        {
            output.WriteLine($"{q.Name}: {q.Title}");
            output.WriteLine($"  {q.Description}");
            output.WriteLine($"  Why: {q.Why}");
            foreach (var p in q.Parameters)
            {
                var fallback = p.Default.Length == 0 ? "empty" : p.Default;
                output.WriteLine($"  --param {p.Name}=<{(p.Choices is { } words ? string.Join("|", words) : p.Type.ToString().ToLowerInvariant())}>  (default {fallback})  {p.Description}");
            }
            output.WriteLine();
        }
    }
}
