// What the figures were measured on, printed with every run.
using System.Runtime.InteropServices;

namespace MonitorNetwork.Benchmark;

internal static class Machine
{
    public static string Describe()
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        // The machine's memory, not the GC's view of it (a heap hard limit makes that the limit).
        var memTotal = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        var memory = memTotal is not null
            ? long.Parse(memTotal.Split(':')[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / (1024.0 * 1024)
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var sqlite = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        sqlite.Open();
        return $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores ({cpu}), {memory:F0} GiB, .NET {Environment.Version}, SQLite {sqlite.ServerVersion}";
    }

    /// <summary>Peak resident set of this process (VmHWM), in MiB; 0 where /proc is missing.</summary>
    public static double PeakRssMiB()
    {
        if (!File.Exists("/proc/self/status")) return Environment.WorkingSet / 1048576.0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(':')[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }
}
