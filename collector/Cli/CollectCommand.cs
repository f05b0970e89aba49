// `monitornetwork collect`: live collection from the driver's ETW provider into SQLite, as a console program
// or a Windows service. On other systems it explains what does work there.
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Service;
using MonitorNetwork.Collector.Sources;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the collect command.</summary>
internal static class CollectCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var options = new CollectOptionSet(forService: false);
        var settings = new Option<string?>("--settings") { Description = "Read settings from this JSON file too (the one service install writes), after appsettings.json", HelpName = "FILE" };
        var command = new Command("collect", "Collect network events live (Windows, elevated) into the SQLite store") { settings };
        foreach (var option in options.All) command.Options.Insert(command.Options.Count - 1, option);
        command.SetAction((parse, _) =>
        {
            var file = parse.GetValue(settings);
            if (file is not null && !File.Exists(file)) throw new MonitorNetworkException(FailureKind.NotFound, $"no such settings file: {Output.DisplayText.OneLine(Path.GetFullPath(file))}");
            return RunAsync(options.Overrides(parse), file);
        });
        return command;
    }

    private static Task<int> RunAsync(Dictionary<string, string?> overrides, string? settingsFile) =>
        RunHostAsync(overrides, OperatingSystem.IsWindows() ? CreateEtwSource : (_, _) => throw NotOnThisOS(), settingsFile, CollectOptionSet.NameOf(overrides),
            requireWindows: true);

    private static MonitorNetworkException NotOnThisOS() => new(FailureKind.NotSupportedOnThisOS,
        "collect needs Windows (it opens an ETW real-time session); on this system use 'monitornetwork import FILE.nettrace' and 'monitornetwork query'");

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static ITraceSource CreateEtwSource(CollectorOptions o, ulong keywords) =>
        new EtwRealTimeSource(new EtwSessionOptions(o.SessionName, o.BufferSizeMB, o.Force),
            EtwProvider.Choose(o.Source, keywords, DriverServiceProbe.IsRunning, o.Dns, DriverServiceProbe.IsInstalled), new TraceEventEtwSessionFactory());

    /// <summary>Runs the host until it stops; rethrows the worker's failure for the exit-code mapping.</summary>
    internal static async Task<int> RunHostAsync(Dictionary<string, string?> overrides, TraceSourceFactory sourceFactory, string? settingsFile = null,
        Func<string, string>? nameOf = null, bool requireWindows = false)
    {
        using var host = CollectorHost.Build(overrides, sourceFactory, settingsFile: settingsFile, nameOf: nameOf);
        // Every setting parsed, once, before anything starts: a bad value is exit 2 on any OS, naming what the user wrote.
        host.Services.GetRequiredService<CollectorSettings>();
        if (requireWindows && !OperatingSystem.IsWindows()) throw NotOnThisOS();
        var worker = host.Services.GetRequiredService<CollectorWorker>(); // RunAsync disposes the services
        await host.RunAsync().ConfigureAwait(false);
        if (worker.Failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(worker.Failure);
        return (int)ExitCode.Success;
    }
}
