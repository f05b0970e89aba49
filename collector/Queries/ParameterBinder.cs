// Turns --param name=value texts into typed values for a named query, filling in defaults. Values are always
// bound as SQL parameters, never spliced into the SQL text.
using System.Globalization;
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Queries;

/// <summary>Parses and checks query parameters.</summary>
public static class ParameterBinder
{
    /// <summary>"max" for time parameters: 10000-01-01T00:00:00Z, later than any event, and safe from overflow in SQL arithmetic.</summary>
    public const long MaxTimeUs = 253_402_300_800_000_000;

    /// <summary>
    /// Binds <paramref name="assignments"/> ("name=value") to <paramref name="query"/>'s parameters.
    /// Throws a usage failure for an unknown name, a malformed assignment, or a value of the wrong form.
    /// </summary>
    public static Dictionary<string, object> Bind(NamedQuery query, IEnumerable<string> assignments, DateTimeOffset now)
    {
        var given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in assignments)
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new MonitorNetworkException(FailureKind.Usage, $"--param '{assignment}' is not name=value");
            var name = assignment[..eq].Trim().TrimStart('@');
            if (query.Parameters.All(p => !string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw new MonitorNetworkException(FailureKind.Usage,
                    $"query {query.Name} has no parameter '{name}' (it takes: {string.Join(", ", query.Parameters.Select(p => p.Name))})");
            given[name] = assignment[(eq + 1)..].Trim();
        }
        var bound = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var p in query.Parameters)
        {
            var text = given.TryGetValue(p.Name, out var v) ? v : p.Default;
            bound[p.Name] = Convert(p, text, now);
        }
        // A window that ends before it starts, or a bucket of no width, answers nothing: say why instead.
        if (bound.TryGetValue("since", out var since) && bound.TryGetValue("until", out var until) && (long)since > (long)until)
            throw new MonitorNetworkException(FailureKind.Usage, $"--param since ({given.GetValueOrDefault("since", "default")}) is after until ({given.GetValueOrDefault("until", "default")})");
        if (bound.TryGetValue("bucket", out var bucket) && (long)bucket < 1)
            throw new MonitorNetworkException(FailureKind.Usage, "--param bucket must be at least 1 (seconds)");
        return bound;
    }

    /// <summary>Converts one parameter's text to its bound value.</summary>
    public static object Convert(QueryParameter p, string text, DateTimeOffset now) => p.Type switch
    {
        QueryParameterType.Int => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw Bad(p, text, "a whole number of zero or more"),
        QueryParameterType.Time => ParseTime(text, now) ?? throw Bad(p, text, "a time: UTC ISO-8601 (2026-01-31T12:00:00Z), a relative age (90s, 15m, 24h, 7d), now, 0 or max"),
        QueryParameterType.Address => text.Length == 0 ? ""
            : IPAddress.TryParse(text, out var address) ? NetAddress.FromIPAddress(address).ToString()
            : throw Bad(p, text, "an IPv4 or IPv6 address"),
        QueryParameterType.Choice => p.Choices!.FirstOrDefault(c => c.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw Bad(p, text, "one of " + string.Join(", ", p.Choices!)),
        _ => text,
    };

    /// <summary>Parses a time parameter into UTC microseconds, or null.</summary>
    public static long? ParseTime(string text, DateTimeOffset now)
    {
        var t = text.Trim();
        if (t.Length == 0) return null;
        if (t == "0") return 0;
        if (t.Equals("max", StringComparison.OrdinalIgnoreCase)) return MaxTimeUs;
        if (t.Equals("now", StringComparison.OrdinalIgnoreCase)) return Events.UnixMicros.From(now);
        if (char.IsAsciiLetter(t[^1]) && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            double? seconds = char.ToLowerInvariant(t[^1]) switch
            {
                's' => n,
                'm' => n * 60,
                'h' => n * 3600,
                'd' => n * 86400,
                _ => null,
            };
            if (seconds is null) return null;
            // An age reaching before the Unix epoch (since=99999999d) overflows no arithmetic here: it is refused.
            var ageUs = seconds.Value * 1e6;
            if (ageUs > Events.UnixMicros.From(now))
                throw new MonitorNetworkException(FailureKind.Usage, $"'{text}' reaches back before 1970: give a date (2026-01-01T00:00:00Z) or 0 for the start");
            return Events.UnixMicros.From(now) - (long)ageUs;
        }
        return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? Events.UnixMicros.From(at)
            : null;
    }

    private static MonitorNetworkException Bad(QueryParameter p, string text, string expected) =>
        new(FailureKind.Usage, $"parameter {p.Name}: '{text}' is not {expected}");
}
