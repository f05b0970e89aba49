// The collecting machine's volume map, NT device name to drive letter ("\Device\HarddiskVolume3" -> "C:"), read
// once per run with QueryDosDevice, so ImagePathNormalizer can turn every NT path into its DOS path. Elsewhere,
// and when Windows will not say, the map is empty and paths keep their device form.
using System.Runtime.InteropServices;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Reads the volume map of this machine.</summary>
public static partial class VolumeMap
{
    /// <summary>Device name to drive, for every drive letter QueryDosDevice can name; empty off Windows.</summary>
    public static IReadOnlyDictionary<string, string> Read()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!OperatingSystem.IsWindows()) return map;
        var target = new char[1024];
        foreach (var root in Environment.GetLogicalDrives())
        {
            var drive = root.TrimEnd('\\'); // "C:"
            if (drive.Length != 2 || drive[1] != ':') continue;
            var written = QueryDosDevice(drive, target, (uint)target.Length);
            if (written == 0) continue; // a drive that vanished, or access denied: keep its paths as they are
            var device = new string(target, 0, Array.IndexOf(target, '\0') is var end and >= 0 ? end : (int)written);
            if (device.StartsWith(@"\Device\", StringComparison.OrdinalIgnoreCase)) map.TryAdd(device, drive);
        }
        return map;
    }

    [LibraryImport("kernel32.dll", EntryPoint = "QueryDosDeviceW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static partial uint QueryDosDevice(string deviceName, [Out] char[] targetPath, uint maxChars);
}
