// Parses sizes the way people type them: 500MB, 10GB, 1.5TB, or plain bytes (binary units: 1 GB = 1024^3 bytes).
using System.Globalization;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Configuration;

/// <summary>Parses byte sizes such as "500MB" and "10GB".</summary>
public static class SizeParser
{
    /// <summary>Parses <paramref name="text"/>; throws a usage failure naming the value when it is not a positive size.</summary>
    public static long Parse(string text)
    {
        var t = text.Trim().ToUpperInvariant();
        var units = new (string Suffix, long Factor)[] { ("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
                && n * factor < long.MaxValue)
                return (long)(n * factor);
        }
        if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes > 0) return bytes;
        throw new MonitorNetworkException(FailureKind.Usage, $"'{text}' is not a size (examples: 500MB, 10GB, 1TB)");
    }

    /// <summary><see cref="Parse(string)"/> between <paramref name="min"/> and <paramref name="max"/> bytes; failures name <paramref name="option"/>.</summary>
    public static long Parse(string text, string option, long min, long max) =>
        BoundedValue.Parse(text, option, Parse, min, max, $"{min >> 20}MB to {max >> 30}GB");
}
