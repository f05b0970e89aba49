// `service install`, `uninstall` and `status` as decisions over IServiceControl: what to create, in which order,
// what to refuse, and undoing the steps done when one fails. The collector service runs its own admin-only copy of
// the program (ProgramFolder) as `monitornetwork collect` as LocalSystem, starts delayed-automatic and
// restarts after a failure with a back-off; the optional driver service is a kernel driver started at boot after BFE. Uninstall
// stops and deletes both and keeps the store.
using System.Globalization;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Service;

/// <summary>Installs, removes and reports the MonitorNetwork services.</summary>
public sealed class ServiceInstaller(IServiceControl control)
{
    /// <summary>The collector's service name (Hosting uses it too).</summary>
    public const string CollectorService = Hosting.CollectorHost.ServiceName;
    /// <summary>The driver's service name.</summary>
    public const string DriverService = "MonitorNetworkDriver";

    /// <summary>Restart after the 1st, 2nd and later failures after these delays; the count resets after a day.</summary>
    public static readonly IReadOnlyList<TimeSpan> RestartBackoff = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>The collector service for a program invocation, reading its settings from <paramref name="settingsFile"/>.</summary>
    public static ServiceSpec CollectorSpec(IReadOnlyList<string> program, string settingsFile)
    {
        var command = new List<string>(program) { "collect", "--settings", Path.GetFullPath(settingsFile) };
        return new ServiceSpec(CollectorService, "MonitorNetwork collector",
            "Collects network flows (MonitorNetwork WFP driver or Windows Kernel-Network) into a SQLite store.",
            CommandLine(command), KernelDriver: false, ServiceStartType.DelayedAutomatic, "LocalSystem",
            RestartBackoff, TimeSpan.FromDays(1))
        {
            Environment = [Hosting.HeapLimit.EnvironmentSetting()],
        };
    }

    /// <summary>
    /// The driver service for the .sys file at <paramref name="sysPath"/>: started at boot (SERVICE_AUTO_START) after the
    /// Base Filtering Engine, whose filter engine its callouts register with. Demand start lost the driver at the
    /// first reboot, and the collector quietly fell back to Kernel-Network.
    /// </summary>
    public static ServiceSpec DriverSpec(string sysPath) => new(DriverService, "MonitorNetwork WFP driver",
        "Observes flows and packets through the Windows Filtering Platform (inspection only) and reports them through ETW.",
        CommandLine([Path.GetFullPath(sysPath)]), KernelDriver: true, ServiceStartType.Automatic, Account: null, [], TimeSpan.Zero)
    {
        Dependencies = ["BFE"],
    };

    /// <summary>
    /// One Windows command line: each part quoted when it holds a space or a quote, inner quotes escaped, so that
    /// "C:\Program Files\..." stays one argument for the SCM and for the program.
    /// </summary>
    public static string CommandLine(IEnumerable<string> parts) => string.Join(' ', parts.Select(Quote));

    private static string Quote(string part) =>
        part.Length > 0 && !part.Any(c => c is ' ' or '\t' or '"') ? part : "\"" + part.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Creates (and starts) the driver service when asked, then the collector service, and starts it. A step that
    /// fails undoes the steps before it, newest first, so a failed install leaves the machine as it found it (a
    /// driver service that was there before is left alone), and the error names the step and anything left behind.
    /// </summary>
    /// <param name="collector">The collector service; its command line names <paramref name="program"/>'s target when given.</param>
    /// <param name="driverSysPath">The driver's .sys file, or null for no driver service.</param>
    /// <param name="program">The program copy the service runs, made first; null runs the program where it is.</param>
    /// <param name="settings">The settings file the service reads, written next; null writes none.</param>
    public void Install(ServiceSpec collector, string? driverSysPath, ProgramFolder? program = null, ServiceSettings? settings = null)
    {
        if (control.Query(CollectorService) is { } state)
            throw new MonitorNetworkException(FailureKind.ServiceFailed,
                $"service {CollectorService} is already installed ({state.ToLowerInvariant()}); run 'monitornetwork service uninstall' first");
        if (driverSysPath is not null && !File.Exists(driverSysPath))
            throw new MonitorNetworkException(FailureKind.NotFound, $"no such driver file: {Path.GetFullPath(driverSysPath)}");
        var undo = new Stack<(string What, Action Action)>();
        try
        {
            if (program is not null) undo.Push(($"remove {program.Target}", program.Place()));
            if (settings is not null) undo.Push(($"restore {settings.Path}", settings.Place()));
            if (driverSysPath is not null)
            {
                if (control.Query(DriverService) is null)
                {
                    control.Create(DriverSpec(driverSysPath));
                    undo.Push(($"delete {DriverService}", () => control.Delete(DriverService)));
                }
                if (control.Query(DriverService) != "RUNNING")
                {
                    control.Start(DriverService);
                    undo.Push(($"stop {DriverService}", () => control.Stop(DriverService)));
                }
            }
            control.Create(collector);
            undo.Push(($"delete {CollectorService}", () => control.Delete(CollectorService)));
            control.Start(CollectorService);
            program?.Commit();
        }
        catch (MonitorNetworkException ex)
        {
            throw RolledBack(ex, undo);
        }
    }

    private static MonitorNetworkException RolledBack(MonitorNetworkException failure, Stack<(string What, Action Action)> undo)
    {
        var left = new List<string>();
        while (undo.TryPop(out var step))
        {
            try
            {
                step.Action();
            }
            catch (Exception ex) when (ex is MonitorNetworkException or IOException or UnauthorizedAccessException)
            {
                left.Add(step.What); // keep undoing the rest; say what could not be
            }
        }
        var outcome = left.Count == 0 ? "nothing was left installed" : "could not undo: " + string.Join(", ", left) + "; run 'monitornetwork service uninstall'";
        return new MonitorNetworkException(failure.Kind, $"{failure.Message} (install rolled back: {outcome})", failure);
    }

    /// <summary>
    /// Stops and deletes the collector service, then the driver's, then <paramref name="program"/>'s copy; the store
    /// stays. False when none was installed.
    /// </summary>
    public bool Uninstall(ProgramFolder? program = null, ServiceSettings? settings = null)
    {
        var any = false;
        foreach (var name in new[] { CollectorService, DriverService })
        {
            if (control.Query(name) is null) continue;
            control.Stop(name);
            control.Delete(name);
            any = true;
        }
        if (settings is not null && File.Exists(settings.Path))
        {
            settings.Remove();
            any = true;
        }
        if (program is not null && Directory.Exists(program.Target))
        {
            if (program.Remove() is { } left)
                throw new MonitorNetworkException(FailureKind.ServiceFailed,
                    $"services removed, but not the program folder {left} (a file in use?): delete it once this command has ended");
            any = true;
        }
        return any;
    }

    /// <summary>The state of each service, or "not installed".</summary>
    public IReadOnlyList<(string Name, string State)> States() =>
        [(CollectorService, Describe(control.Query(CollectorService))), (DriverService, Describe(control.Query(DriverService)))];

    private static string Describe(string? state) => state?.ToLower(CultureInfo.InvariantCulture) ?? "not installed";
}
