// `monitornetwork collect`: live collection from the driver's ETW provider into SQLite, as a console program
// or a Windows service. On other systems it explains what does work there.
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
            DefaultValueFactory = _ => "flow,packet,health",
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
        var force = new Option<bool>("--force") { Description = "Replace a running ETW session of the same name (one a crashed run left behind)" };
        var command = new Command("collect", "Collect network events live (Windows, elevated) into the SQLite store") { db, source, keywords, duration, retention, maxSize, force };
        command.SetAction((parse, _) =>
        {
            var keywordList = parse.GetValue(keywords)!;
            ValidateKeywords(keywordList);
            var durationText = parse.GetValue(duration);
            if (durationText is not null) DurationParser.Parse(durationText);
            DurationParser.Parse(parse.GetValue(retention)!);
            SizeParser.Parse(parse.GetValue(maxSize)!);
            // Only what the command line says overrides appsettings.json and MONITORNETWORK_ variables: an option
            // left at its default must not hide the file's value.
            var overrides = new Dictionary<string, string?>();
            void Given<T>(Option<T> option, string key)
            {
                if (parse.GetResult(option) is { Implicit: false }) overrides[key] = Convert.ToString(parse.GetValue(option), System.Globalization.CultureInfo.InvariantCulture);
            }
            Given(db, "Collector:DatabasePath");
            Given(keywords, "Collector:Keywords");
            Given(source, "Collector:Source");
            Given(duration, "Collector:Duration");
            Given(retention, "Collector:PacketRetention");
            Given(maxSize, "Collector:MaxDatabaseSize");
            Given(force, "Collector:Force");
            return RunAsync(overrides);
        });
        return command;
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
            EtwProvider.Choose(o.Source, keywords, DriverServiceProbe.IsRunning), new TraceEventEtwSessionFactory());

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
