// Parses --duration values the way people type them: 90s, 5m, 2h, 1d, or hh:mm:ss.
using System.Globalization;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Configuration;

/// <summary>Parses durations such as "30s", "5m", "2h", "1d" and "00:05:00".</summary>
public static class DurationParser
{
    /// <summary>Parses <paramref name="text"/>; throws a usage failure naming the value when it is not a positive duration.</summary>
    public static TimeSpan Parse(string text)
    {
        var t = text.Trim();
        TimeSpan result = default;
        // Milliseconds first: "200ms" would otherwise read as 200 of unit 's' after a number that fails to parse.
        if (t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) && double.TryParse(t[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms > 0 && ms < 3e14)
            return TimeSpan.FromMilliseconds(ms);
        var ok = t.Length > 1 && char.IsAsciiLetter(t[^1]) && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? TryUnit(char.ToLowerInvariant(t[^1]), n, out result)
            : TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out result);
        if (!ok || result <= TimeSpan.Zero)
            throw new MonitorNetworkException(FailureKind.Usage, $"'{text}' is not a duration (examples: 500ms, 30s, 5m, 2h, 1d, 00:05:00)");
        return result;
    }

    /// <summary>
    /// <see cref="Parse(string)"/>, and between <paramref name="min"/> and <paramref name="max"/>; the failure names
    /// <paramref name="option"/> and the range. A value too large for any duration is out of range, not a crash.
    /// </summary>
    public static TimeSpan Parse(string text, string option, TimeSpan min, TimeSpan max) => BoundedValue.Parse(text, option, Parse, min, max, $"{Show(min)} to {Show(max)}");

    private static string Show(TimeSpan t) => t.TotalMilliseconds < 1000 ? $"{t.TotalMilliseconds:0}ms"
        : t.TotalDays >= 1 && t.TotalDays % 1 == 0 ? $"{t.TotalDays:0}d" : $"{t.TotalSeconds:0}s";

    private static bool TryUnit(char unit, double n, out TimeSpan result)
    {
        result = TimeSpan.Zero;
        // TimeSpan.FromDays(1e300) throws: anything past ten thousand years is no duration anyone means.
        if (double.IsNaN(n) || double.IsInfinity(n) || Math.Abs(n) > 3.65e6 * (unit switch { 's' => 86400, 'm' => 1440, 'h' => 24, _ => 1 })) return false;
        result = unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.Zero,
        };
        return result > TimeSpan.Zero;
    }
}
