// `monitornetwork export --format parquet --out DIR`: what is new in the store since the last export, as
// Hive-partitioned Parquet for DuckDB, Spark, Trino or ClickHouse (README, Fleet export).
using System.CommandLine;
using System.Globalization;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Cli.Commands;

/// <summary>Defines and runs the export command.</summary>
internal static class ExportCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "parquet" };
        format.AcceptOnlyFromAmong("parquet");
        var output = new Option<string>("--out") { Description = "The fleet directory (table=.../host=.../date=...)", Required = true, HelpName = "DIR" };
        var db = CommonOptions.Database();
        var since = new Option<string?>("--since") { Description = "Leave out rows older than this (ISO-8601 UTC, or relative: 24h, 7d)", HelpName = "T" };
        var host = new Option<string?>("--host") { Description = $"Host partition name (default: this machine, {Environment.MachineName})", HelpName = "NAME" };
        var restart = new Option<bool>("--restart") { Description = "Export everything again, into a lake that holds none of this store's rows (refused where rows would be written twice)" };
        var command = new Command("export", "Export what is new since the last export as Hive-partitioned Parquet files") { format, output, db, since, host, restart };
        command.SetAction(async (parse, token) =>
        {
            long sinceUs = 0;
            if (parse.GetValue(since) is { } text)
                sinceUs = ParameterBinder.ParseTime(text, DateTimeOffset.UtcNow)
                    ?? throw new MonitorNetworkException(FailureKind.Usage, $"--since: '{text}' is not a time (ISO-8601 UTC, or 24h, 7d)");
            var path = StoreLocation.Resolve(parse.GetValue(db));
            if (!File.Exists(path)) throw new MonitorNetworkException(FailureKind.NotFound, $"no such database: {Path.GetFullPath(path)}");
            using var connection = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(5));
            var result = await new ParquetExporter(connection).ExportAsync(
                new ExportOptions(parse.GetValue(output)!, parse.GetValue(host) ?? Environment.MachineName, sinceUs, parse.GetValue(restart)), token).ConfigureAwait(false);
            CliStreams.Out.WriteLine(result.Summary());
            return (int)ExitCode.Success;
        });
        return command;
    }
}
