// What `monitornetwork service install` asks the Service Control Manager for, as plain data, so that Linux tests
// can check the exact configuration field by field: account, start type, recovery with back-off, binary path.
namespace MonitorNetwork.Collector.Service;

/// <summary>How Windows starts a service.</summary>
public enum ServiceStartType
{
    /// <summary>Automatic, after the boot-critical services (sc.exe start= delayed-auto).</summary>
    DelayedAutomatic,
    /// <summary>When asked (sc.exe start= demand).</summary>
    Manual,
    /// <summary>At boot, by the Service Control Manager, in dependency order (sc.exe start= auto; SERVICE_AUTO_START).</summary>
    Automatic,
}

/// <summary>A service to create.</summary>
/// <param name="Name">The service name (sc.exe's first argument).</param>
/// <param name="DisplayName">The name services.msc shows.</param>
/// <param name="Description">The description services.msc shows.</param>
/// <param name="ImagePath">The whole command line the SCM runs, each part quoted as needed.</param>
/// <param name="KernelDriver">A kernel driver (type= kernel) rather than a service process (type= own).</param>
/// <param name="StartType">When it starts.</param>
/// <param name="Account">The account it runs as; null for a kernel driver.</param>
/// <param name="RestartDelays">Recovery: restart after each failure, waiting these delays (a back-off); empty for none.</param>
/// <param name="FailureCountReset">After this long without a failure the back-off starts over.</param>
public sealed record ServiceSpec(
    string Name, string DisplayName, string Description, string ImagePath, bool KernelDriver,
    ServiceStartType StartType, string? Account, IReadOnlyList<TimeSpan> RestartDelays, TimeSpan FailureCountReset)
{
    /// <summary>NAME=value settings the service process starts with (the service key's Environment value).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Services that must run first (sc.exe depend=, '/'-separated).</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];
}
