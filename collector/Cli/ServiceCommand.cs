// `monitornetwork service install|uninstall|status`: the collector (and optionally the driver) as Windows
// services in one command, like Sysmon's -i. status works on every OS: services where they exist, and the store.
using System.CommandLine;
using System.Globalization;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Service;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the service commands.</summary>
internal static class ServiceCommand
{
    /// <summary>The SCM seam: sc.exe on Windows, nothing elsewhere; tests replace it.</summary>
    internal static Func<IServiceControl?> Control { get; set; } = () => OperatingSystem.IsWindows() ? new ScExeServiceControl() : null;

    /// <summary>The service's copy of the program (Program Files on Windows); tests point it at a temporary folder.</summary>
    internal static Func<ProgramFolder> Program { get; set; } = ProgramFolder.ForThisProgram;

    /// <summary>The service's settings file (ProgramData on Windows); tests point it at a temporary folder.</summary>
    internal static Func<string> SettingsPath { get; set; } = () => ServiceSettings.DefaultPath;

    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var options = new CollectOptionSet(forService: true);
        var driver = new Option<string?>("--with-driver") { Description = "Also install and start the driver service from this .sys file", HelpName = "PATH.sys" };
        var install = new Command("install", "Install and start the collector service (LocalSystem, delayed automatic start, restart on failure) with these collect options") { driver };
        foreach (var option in options.All) install.Options.Add(option);
        install.SetAction(parse =>
        {
            var control = Control() ?? throw NotHere();
            var overrides = options.Overrides(parse);
            CollectOptionSet.Parse(overrides); // refuses a bad value, exit 2, before anything is installed
            var program = Program();
            var settings = new ServiceSettings(SettingsPath(), overrides);
            var invocation = program.Relocate(ProgramInvocation.Current(), Path.GetFileName(typeof(ServiceCommand).Assembly.Location), ProgramFolder.DotnetHost());
            var spec = ServiceInstaller.CollectorSpec(invocation, settings.Path);
            new ServiceInstaller(control).Install(spec, parse.GetValue(driver), program, settings);
            CliStreams.Out.WriteLine($"installed and started service {ServiceInstaller.CollectorService}: {spec.ImagePath}");
            CliStreams.Out.WriteLine(settings.Kept
                ? $"settings: kept those of the earlier install in {settings.Path}"
                : $"settings: {settings.Path}");
            return (int)ExitCode.Success;
        });
        var keepSettings = new Option<bool>("--keep-settings") { Description = "Keep the service's settings file, for an install after an update to read again" };
        var deleteStore = new Option<bool>("--delete-store") { Description = "Also delete the service's store (the database and its -wal and -shm files)" };
        var uninstall = new Command("uninstall", "Stop and remove the collector and driver services, the program copy and the settings; the store is kept unless asked") { keepSettings, deleteStore };
        uninstall.SetAction(parse =>
        {
            var control = Control() ?? throw NotHere();
            var keep = parse.GetValue(keepSettings);
            var delete = parse.GetValue(deleteStore);
            var store = StoreLocation.ResolveForService(null, SettingsPath()); // read before the settings go
            var settings = keep ? null : new ServiceSettings(SettingsPath(), new Dictionary<string, string?>());
            CliStreams.Out.WriteLine(new ServiceInstaller(control).Uninstall(Program(), settings)
                ? $"removed services {ServiceInstaller.CollectorService} and {ServiceInstaller.DriverService} (where installed), the program copy{(keep ? "" : " and the service settings")}{(delete ? "" : "; the store is kept")}"
                : "no MonitorNetwork service is installed");
            if (keep && File.Exists(SettingsPath())) CliStreams.Out.WriteLine($"settings kept: {SettingsPath()} ('service install' without options reads them again)");
            if (delete)
            {
                // After the stop: the collector has drained and closed it. The WAL goes too, or a later store of the
                // same name would replay its frames.
                foreach (var file in new[] { store + "-wal", store + "-shm", store }.Where(File.Exists)) File.Delete(file);
                CliStreams.Out.WriteLine($"deleted the store {Output.DisplayText.OneLine(Path.GetFullPath(store))}");
            }
            return (int)ExitCode.Success;
        });
        var statusDb = CommonOptions.Database();
        var status = new Command("status", "Service and driver states, the store, its newest event and the last session's counters") { statusDb };
        status.SetAction(parse =>
        {
            WriteStatus(Control(), StoreLocation.ResolveForService(parse.GetValue(statusDb), SettingsPath()), CliStreams.Out);
            return (int)ExitCode.Success;
        });
        return new Command("service", "Install, remove or inspect the Windows services") { install, uninstall, status };
    }

    private static MonitorNetworkException NotHere() =>
        new(FailureKind.NotSupportedOnThisOS, "services are Windows services: install them on Windows ('service status' works here)");

    /// <summary>Writes the status report: services (where they exist), then the store.</summary>
    internal static void WriteStatus(IServiceControl? control, string database, TextWriter output)
    {
        if (control is null) output.WriteLine("services: none on this OS (Windows only)");
        else foreach (var (name, state) in new ServiceInstaller(control).States()) output.WriteLine($"service {name}: {state}");
        output.WriteLine($"store: {Output.DisplayText.OneLine(Path.GetFullPath(database))}");
        if (!File.Exists(database))
        {
            output.WriteLine("store: not created yet");
            return;
        }
        using var connection = StoreDatabase.OpenReadOnly(database);
        var s = StoreStats.Read(connection, database);
        static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        output.WriteLine($"store size: {s.SizeBytes / 1048576.0:F1} MiB");
        output.WriteLine($"newest event: {(s.LastUs is { } us ? Events.UnixMicros.Format(us) : "-")}");
        if (s.DriverMissingInLastSession) output.WriteLine("driver: " + StoreSummary.DriverMissingLine);
        var last = StoreStats.LastSession(connection);
        output.WriteLine(last is null
            ? "last session: none"
            : $"last session: {last.Id} {last.Source} {last.Status}: received {N(last.Received)}, written {N(last.Written)}, dropped {N(last.Dropped)}, lost {N(last.Lost)}, malformed {N(last.Malformed)}, unknown {N(last.Unknown)}");
    }
}
