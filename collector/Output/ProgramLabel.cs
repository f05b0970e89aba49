// How a program is named on screen when its path may be missing: the one rule for top, the report and usage (the
// named queries' SQL spells the same rule: pid 4 with no path is 'System').
using System.Globalization;

namespace MonitorNetwork.Collector.Output;

/// <summary>A program's display name.</summary>
public static class ProgramLabel
{
    /// <summary>The kernel's System process: it owns SMB, NetBIOS and other in-kernel traffic and has no image path.</summary>
    public const uint SystemPid = 4;

    /// <summary>The path when known; "System" for pid 4; "pid N" for another process; "(unknown)" when neither is known.</summary>
    public static string Of(string? path, long? pid) =>
        path is { Length: > 0 } ? path
        : pid == SystemPid ? "System"
        : pid is > 0 ? "pid " + pid.Value.ToString(CultureInfo.InvariantCulture)
        : "(unknown)";
}
