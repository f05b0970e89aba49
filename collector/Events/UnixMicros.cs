// The store's clock: UTC microseconds since the Unix epoch, in every table, event and query parameter. The one place
// that converts to and from .NET's times, so a rounding or time-zone rule lands once.
using System.Globalization;

namespace MonitorNetwork.Collector.Events;

/// <summary>Converts between UTC microseconds since 1970-01-01 and .NET times.</summary>
public static class UnixMicros
{
    /// <summary>A DateTimeOffset as UTC microseconds (ticks below a microsecond are dropped).</summary>
    public static long From(DateTimeOffset time) => (time.UtcDateTime - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>A DateTime as UTC microseconds: a local time is converted, one of unspecified kind is taken as UTC.</summary>
    public static long From(DateTime time) =>
        ((time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc)) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Now, by <paramref name="clock"/> (the system's when null).</summary>
    public static long Now(TimeProvider? clock = null) => From((clock ?? TimeProvider.System).GetUtcNow());

    /// <summary>UTC microseconds as a UTC DateTime.</summary>
    public static DateTime ToDateTime(long us) => DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);

    /// <summary>As text, "2026-12-03 08:47:00Z" unless another .NET format is given.</summary>
    public static string Format(long us, string format = "yyyy-MM-dd HH:mm:ss'Z'") => ToDateTime(us).ToString(format, CultureInfo.InvariantCulture);
}
