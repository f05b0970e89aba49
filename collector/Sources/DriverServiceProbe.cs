// Whether the MonitorNetwork driver is loaded: its kernel service (installed by driver/scripts) is running.
using System.Runtime.Versioning;
using System.ServiceProcess;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Asks the Service Control Manager about the driver's service.</summary>
[SupportedOSPlatform("windows")]
public static class DriverServiceProbe
{
    /// <summary>The driver's service name (the collector's own service is "MonitorNetwork").</summary>
    public const string ServiceName = "MonitorNetworkDriver";

    /// <summary>True when the driver's service exists (installed by `service install --with-driver`), running or not.</summary>
    public static bool IsInstalled()
    {
        try
        {
            using var service = new ServiceController(ServiceName);
            _ = service.Status;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>True when the driver's service exists and is running.</summary>
    public static bool IsRunning()
    {
        try
        {
            using var service = new ServiceController(ServiceName);
            return service.Status == ServiceControllerStatus.Running;
        }
        catch (InvalidOperationException)
        {
            return false; // not installed
        }
    }
}
