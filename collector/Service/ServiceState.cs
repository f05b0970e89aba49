// A service's state from the Service Control Manager itself (QueryServiceStatusEx, through ServiceController), never
// from `sc.exe query` text: sc.exe's output is localized, and on a German or Japanese Windows the scraped words said
// nothing, so install took a running service for an unknown one. The words kept are sc.exe's own spellings
// ("RUNNING", "STOP_PENDING"), which the rest of the code, the tests and `service status` use.
using System.Runtime.Versioning;
using System.ServiceProcess;

namespace MonitorNetwork.Collector.Service;

/// <summary>Reads service states from the SCM.</summary>
public static class ServiceState
{
    /// <summary>The SCM's word for SERVICE_STATUS.dwCurrentState (SERVICE_RUNNING, 4, is "RUNNING").</summary>
    public static string Word(int currentState) => currentState switch
    {
        1 => "STOPPED",
        2 => "START_PENDING",
        3 => "STOP_PENDING",
        4 => "RUNNING",
        5 => "CONTINUE_PENDING",
        6 => "PAUSE_PENDING",
        7 => "PAUSED",
        _ => "UNKNOWN",
    };

    /// <summary>The state of service <paramref name="name"/> (driver services included), or null when none is installed.</summary>
    [SupportedOSPlatform("windows")]
    public static string? Of(string name)
    {
        try
        {
            using var service = new ServiceController(name);
            return Word((int)service.Status); // ServiceControllerStatus is dwCurrentState's value
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.ComponentModel.Win32Exception { NativeErrorCode: ServiceDoesNotExist })
        {
            return null;
        }
    }

    /// <summary>ERROR_SERVICE_DOES_NOT_EXIST.</summary>
    internal const int ServiceDoesNotExist = 1060;
}
