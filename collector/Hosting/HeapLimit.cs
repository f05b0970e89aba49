// The collector as an agent runs for months beside the work it watches, so the service gives its process a memory
// ceiling: a GC heap hard limit in the service's environment (DOTNET_GCHeapHardLimit, read when the runtime starts).
// With a limit the GC also sizes its budgets to it, which is what keeps the resident set down: without one this
// runtime kept 61-92 MiB of heap committed for a live set of 15-60 MiB (bench soak). Setting the limit from inside a
// running process (AppContext + GC.RefreshMemoryLimit) caps the heap but left 61 MiB committed under a 64 MiB limit,
// so it has to come from the environment. Console runs of collect can set the same variable.
namespace MonitorNetwork.Collector.Hosting;

/// <summary>The collector service's GC heap ceiling.</summary>
public static class HeapLimit
{
    /// <summary>The ceiling, in MiB: bench soak at 100,000 events/s fits under it with room for the queue.</summary>
    public const int DefaultMB = 64;

    /// <summary>The runtime's variable, in the hexadecimal bytes it expects.</summary>
    public static string EnvironmentSetting(int megabytes = DefaultMB) =>
        "DOTNET_GCHeapHardLimit=0x" + ((ulong)megabytes * 1024 * 1024).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
}
