// Whether the MonitorNetwork driver is loaded: its kernel service (installed by driver/scripts) is running.
using System.Runtime.Versioning;

namespace MonitorNetwork.Collector.Service;

/// <summary>Asks the Service Control Manager about the driver's service.</summary>
[SupportedOSPlatform("windows")]
public static class DriverServiceProbe
{
    /// <summary>The driver's service name (the collector's own service is "MonitorNetwork").</summary>
    public const string ServiceName = "MonitorNetworkDriver";

    /// <summary>True when the driver's service exists (installed by `service install --with-driver`), running or not.</summary>
    public static bool IsInstalled() => Service.ServiceState.Of(ServiceName) is not null;

    /// <summary>True when the driver's service exists and is running.</summary>
    public static bool IsRunning() => Service.ServiceState.Of(ServiceName) == "RUNNING";
}
