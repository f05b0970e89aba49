// Byte counts as people read them, in binary units as WPA and Resource Monitor show them.
using System.Globalization;

namespace MonitorNetwork.Collector.Output;

/// <summary>Formats byte counts.</summary>
public static class ByteUnits
{
    /// <summary>"512 B", "4.9 KiB", "11 MiB".</summary>
    public static string Format(double n)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var u = 0;
        while (n >= 1024 && u < units.Length - 1) { n /= 1024; u++; }
        return u == 0 ? n.ToString("F0", CultureInfo.InvariantCulture) + " B" : n.ToString(n < 10 ? "F1" : "F0", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
