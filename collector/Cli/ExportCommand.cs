// `monitornetwork export --format parquet --out DIR`: what is new in the store since the last export, as
// Hive-partitioned Parquet for DuckDB, Spark, Trino or ClickHouse (README, Fleet export).
using System.CommandLine;
using System.Globalization;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the export command.</summary>
internal static class ExportCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "parquet" };
        format.AcceptOnlyFromAmong("parquet", "ipfix");
        var output = new Option<string?>("--out") { Description = "parquet: the lake directory (table=.../host=.../date=...)", HelpName = "DIR" };
        var to = new Option<string?>("--to") { Description = "ipfix: the collector, HOST:PORT (nfcapd, ntopng, Akvorado, ...)", HelpName = "HOST:PORT" };
        var transport = new Option<string>("--transport") { Description = "ipfix: udp (what most collectors listen on) or tcp", DefaultValueFactory = _ => "udp", HelpName = "udp|tcp" };
        transport.AcceptOnlyFromAmong("udp", "tcp");
        var domain = new Option<uint>("--domain") { Description = "ipfix: the observation domain id", DefaultValueFactory = _ => 0, HelpName = "N" };
        var db = CommonOptions.Database();
        var since = new Option<string?>("--since") { Description = "Leave out rows older than this (ISO-8601 UTC, or relative: 24h, 7d)", HelpName = "T" };
        var host = new Option<string?>("--host") { Description = $"Host partition name (default: this machine, {Environment.MachineName})", HelpName = "NAME" };
        var restart = new Option<bool>("--restart") { Description = "Export everything again, into a lake that holds none of this store's rows (refused where rows would be written twice)" };
        var command = new Command("export", "Export what is new since the last export: a Parquet lake, or IPFIX to a flow collector") { format, output, to, transport, domain, db, since, host, restart };
        command.SetAction(async (parse, token) =>
        {
            if (parse.GetValue(format) == "ipfix")
            {
                if (parse.GetValue(to) is not { } target) throw new MonitorNetworkException(FailureKind.Usage, "--format ipfix needs --to HOST:PORT");
                if (parse.GetValue(output) is not null) throw new MonitorNetworkException(FailureKind.Usage, "--out is for --format parquet; IPFIX goes --to HOST:PORT");
                var (address, port) = Export.Ipfix.IpfixOptions.ParseTarget(target);
                var store = StoreLocation.Resolve(parse.GetValue(db));
                if (!File.Exists(store)) throw new MonitorNetworkException(FailureKind.NotFound, $"no such database: {Path.GetFullPath(store)}");
                using var ipfixConnection = StoreDatabase.OpenForWriting(store, TimeSpan.FromSeconds(5));
                var sent = await new Export.Ipfix.IpfixExporter(ipfixConnection).ExportAsync(
                    new Export.Ipfix.IpfixOptions(address, port, parse.GetValue(transport) == "tcp", parse.GetValue(domain)), token).ConfigureAwait(false);
                CliStreams.Out.WriteLine(sent.Summary());
                return (int)ExitCode.Success;
            }
            if (parse.GetValue(output) is null) throw new MonitorNetworkException(FailureKind.Usage, "--format parquet needs --out DIR");
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
