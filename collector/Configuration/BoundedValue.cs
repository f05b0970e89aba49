// An option value parsed by its own parser (a duration, a size) and held to a range: both failures are one usage
// line naming the option, and a value too large for its type is out of range, never a crash.
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Configuration;

/// <summary>Parses option values within bounds.</summary>
public static class BoundedValue
{
    /// <summary>
    /// <paramref name="parse"/>(<paramref name="text"/>), between <paramref name="min"/> and <paramref name="max"/>;
    /// failures name <paramref name="option"/> and the range, as <paramref name="range"/> words it ("16MB to 64GB").
    /// </summary>
    public static T Parse<T>(string text, string option, Func<string, T> parse, T min, T max, string range) where T : IComparable<T>
    {
        T value;
        try
        {
            value = parse(text);
        }
        catch (MonitorNetworkException ex)
        {
            throw new MonitorNetworkException(FailureKind.Usage, $"{option}: {ex.Message}", ex);
        }
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
            throw new MonitorNetworkException(FailureKind.Usage, $"{option}: '{text}' is out of range ({range})");
        return value;
    }
}
