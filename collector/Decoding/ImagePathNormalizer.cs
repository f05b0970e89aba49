// One program, one path. Windows names an executable three ways: C:\Windows\System32\svchost.exe (the process
// snapshot), \Device\HarddiskVolume3\Windows\System32\svchost.exe (Kernel-Process) and
// \device\harddiskvolume3\windows\system32\svchost.exe (WFP's lowercase NT path). Grouped by text they are three
// programs. This maps the device prefix to its drive letter with the collecting machine's volume map, and keeps
// one spelling per path compared case-insensitively, so every source of a run agrees: WFP lowercases while the
// others keep the file system's case, so the spelling with more capitals wins. Pure: the volume map is given.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Normalises image paths to one DOS spelling.</summary>
/// <param name="volumes">NT device name to drive ("\Device\HarddiskVolume3" -> "C:"), as QueryDosDevice reports.</param>
public sealed class ImagePathNormalizer(IReadOnlyDictionary<string, string> volumes)
{
    private readonly KeyValuePair<string, string>[] _volumes = volumes
        .OrderByDescending(v => v.Key.Length) // \Device\HarddiskVolume10 before \Device\HarddiskVolume1
        .ToArray();
    private readonly Dictionary<string, string> _spellings = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>The DOS path for <paramref name="path"/>, in the run's one spelling; null and "" stay as they are.</summary>
    public string? Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path)) return path;
        var dos = ToDos(path);
        lock (_lock)
        {
            if (_spellings.TryGetValue(dos, out var known) && Capitals(known) >= Capitals(dos)) return known;
            _spellings[dos] = dos;
            return dos;
        }
    }

    /// <summary>The event with its image path normalised and the sent path kept beside it; other events as they are.</summary>
    public MonitorEvent Apply(MonitorEvent e) => e switch
    {
        FlowEstablishedEvent f when Normalize(f.ProcessPath) is { } p && p != f.ProcessPath => f with { ProcessPath = p, RawProcessPath = f.ProcessPath },
        ProcessStartedEvent s when Normalize(s.ImagePath) is { } p && p != s.ImagePath => s with { ImagePath = p, RawImagePath = s.ImagePath },
        ProcessEndedEvent x when Normalize(x.ImagePath) is { } p && p != x.ImagePath => x with { ImagePath = p, RawImagePath = x.ImagePath },
        _ => e,
    };

    private string ToDos(string path)
    {
        if (path.StartsWith(@"\??\", StringComparison.Ordinal)) path = path[4..];
        else if (path.StartsWith(@"\\?\", StringComparison.Ordinal) && path.Length > 6 && path[5] == ':') path = path[4..];
        foreach (var (device, drive) in _volumes)
        {
            if (path.Length > device.Length && path[device.Length] == '\\' && path.StartsWith(device, StringComparison.OrdinalIgnoreCase))
                return drive + path[device.Length..];
        }
        if (path.StartsWith(@"\systemroot\", StringComparison.OrdinalIgnoreCase))
        {
            var windows = Environment.GetEnvironmentVariable("SystemRoot");
            if (!string.IsNullOrEmpty(windows)) return windows + path[@"\systemroot".Length..];
        }
        return path;
    }

    private static int Capitals(string s)
    {
        var n = 0;
        foreach (var c in s) if (char.IsUpper(c)) n++;
        return n;
    }
}
