// `monitornetwork collect`: live collection from the driver's ETW provider into SQLite, as a console program
// or a Windows service. On other systems it explains what does work there.
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;

namespace MonitorNetwork.Collector.Cli.Commands;

/// <summary>Defines and runs the collect command.</summary>
internal static class CollectCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var keywords = new Option<string>("--keywords")
        {
            Description = "Contract keywords to enable: flow, packet, health or all (comma-separated)",
            DefaultValueFactory = _ => "flow,health",
        };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (30s, 5m, 2h, 00:10:00); default: until Ctrl+C or service stop", HelpName = "T" };
        var retention = new Option<string>("--retention") { Description = "Delete packets older than this (flows and rollups are kept 90d)", DefaultValueFactory = _ => "7d", HelpName = "T" };
        var maxSize = new Option<string>("--max-size") { Description = "Largest the database may grow; past it the oldest packets go first", DefaultValueFactory = _ => "10GB", HelpName = "SIZE" };
        var source = new Option<string>("--source")
        {
            Description = "driver (the MonitorNetwork WFP driver), kernel (Windows' built-in Kernel-Network provider), or auto: the driver when its service runs",
            DefaultValueFactory = _ => "auto",
        };
        source.AcceptOnlyFromAmong("driver", "kernel", "auto");
        var exportEvery = new Option<string?>("--export-every") { Description = "Export the store as Parquet this often (with --export-to)", HelpName = "T" };
        var exportTo = new Option<string?>("--export-to") { Description = "Fleet directory for the background export (with --export-every)", HelpName = "DIR" };
        var exportIpfix = new Option<string?>("--export-ipfix") { Description = "Send flow segments to this IPFIX collector over UDP (with --export-every)", HelpName = "HOST:PORT" };
        var noDns = new Option<bool>("--no-dns") { Description = "Do not collect DNS answers (they name remote hosts, and are a browsing history)" };
        var force = new Option<bool>("--force") { Description = "Replace a running ETW session of the same name (one a crashed run left behind)" };
        var command = new Command("collect", "Collect network events live (Windows, elevated) into the SQLite store") { db, source, keywords, duration, retention, maxSize, force, noDns, exportEvery, exportTo, exportIpfix };
        command.SetAction((parse, _) =>
        {
            var keywordList = parse.GetValue(keywords)!;
            ValidateKeywords(keywordList);
            var durationText = parse.GetValue(duration);
            if (durationText is not null) DurationParser.Parse(durationText);
            if ((parse.GetValue(exportEvery) is null) != (parse.GetValue(exportTo) is null && parse.GetValue(exportIpfix) is null))
                throw new MonitorNetworkException(FailureKind.Usage, "--export-every goes with --export-to or --export-ipfix");
            if (parse.GetValue(exportIpfix) is { } ipfix) Export.Ipfix.IpfixOptions.ParseTarget(ipfix);
            if (parse.GetValue(exportEvery) is { } every) DurationParser.Parse(every);
            DurationParser.Parse(parse.GetValue(retention)!);
            SizeParser.Parse(parse.GetValue(maxSize)!);
            var overrides = Overrides(parse);
            return RunAsync(overrides);
        });
        return command;
    }

    /// <summary>The configuration keys each collect option sets.</summary>
    private static readonly Dictionary<string, string> s_keys = new()
    {
        ["--db"] = "Collector:DatabasePath",
        ["--keywords"] = "Collector:Keywords",
        ["--source"] = "Collector:Source",
        ["--duration"] = "Collector:Duration",
        ["--retention"] = "Collector:PacketRetention",
        ["--max-size"] = "Collector:MaxDatabaseSize",
        ["--force"] = "Collector:Force",
        ["--export-every"] = "Collector:ExportEvery",
        ["--export-to"] = "Collector:ExportTo",
        ["--export-ipfix"] = "Collector:ExportIpfix",
        ["--no-dns"] = "Collector:Dns",
    };

    /// <summary>
    /// The configuration the command line sets: only the options actually given, so that an option left at its
    /// default never hides appsettings.json or a MONITORNETWORK_ variable.
    /// </summary>
    internal static Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        foreach (var option in parse.CommandResult.Command.Options)
        {
            if (!s_keys.TryGetValue(option.Name, out var key) || parse.GetResult(option) is not { Implicit: false }) continue;
            overrides[key] = option switch
            {
                Option<bool> flag when option.Name == "--no-dns" => parse.GetValue(flag) ? "false" : "true",
                Option<bool> flag => parse.GetValue(flag) ? "true" : "false",
                Option<string?> text => parse.GetValue(text), // Option<string> too: nullability is not a runtime type
                _ => throw new InvalidOperationException("collect option of an unexpected type: " + option.Name),
            };
        }
        return overrides;
    }

    private static void ValidateKeywords(string list)
    {
        try
        {
            ProviderContract.ParseKeywords(list);
        }
        catch (FormatException ex)
        {
            throw new MonitorNetworkException(FailureKind.Usage, $"--keywords: {ex.Message}", ex);
        }
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> overrides)
    {
        if (!OperatingSystem.IsWindows())
            throw new MonitorNetworkException(FailureKind.NotSupportedOnThisOS,
                "collect needs Windows (it opens an ETW real-time session); on this system use 'monitornetwork import FILE.nettrace' and 'monitornetwork query'");
        return await RunHostAsync(overrides, CreateEtwSource).ConfigureAwait(false);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static ITraceSource CreateEtwSource(CollectorOptions o, ulong keywords) =>
        new EtwRealTimeSource(new EtwSessionOptions(o.SessionName, o.BufferSizeMB, o.Force),
            EtwProvider.Choose(o.Source, keywords, DriverServiceProbe.IsRunning, o.Dns, DriverServiceProbe.IsInstalled), new TraceEventEtwSessionFactory());

    /// <summary>Runs the host until it stops; rethrows the worker's failure for the exit-code mapping.</summary>
    internal static async Task<int> RunHostAsync(Dictionary<string, string?> overrides, TraceSourceFactory sourceFactory)
    {
        using var host = CollectorHost.Build(overrides, sourceFactory);
        var worker = host.Services.GetRequiredService<CollectorWorker>(); // RunAsync disposes the services
        await host.RunAsync().ConfigureAwait(false);
        if (worker.Failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(worker.Failure);
        return (int)ExitCode.Success;
    }
}
