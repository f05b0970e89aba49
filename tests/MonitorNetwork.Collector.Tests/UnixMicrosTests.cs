// The store's one time conversion (Events/UnixMicros.cs), and the rule that it is the only one.
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class UnixMicrosTests
{
    [Fact]
    public void Converts_BothWays_AtMicrosecondPrecision()
    {
        var t = new DateTimeOffset(2026, 12, 3, 8, 47, 0, TimeSpan.FromHours(2)).AddTicks(12_345_678); // 1.2345678 s
        var us = UnixMicros.From(t);
        Assert.Equal(1_796_280_421_234_567, us); // 06:47:01.234567Z; the last tick (100 ns) is dropped
        Assert.Equal(DateTimeKind.Utc, UnixMicros.ToDateTime(us).Kind);
        Assert.Equal(us, UnixMicros.From(UnixMicros.ToDateTime(us)));
        Assert.Equal("2026-12-03 06:47:01Z", UnixMicros.Format(us));
        Assert.Equal(0, UnixMicros.From(DateTime.SpecifyKind(DateTime.UnixEpoch, DateTimeKind.Unspecified))); // unspecified is UTC
        Assert.Equal(us, UnixMicros.From(UnixMicros.ToDateTime(us).ToLocalTime()));                          // local is converted
    }

    [Fact]
    public void Now_ReadsTheClockItIsGiven()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(1_767_225_600_000_000, UnixMicros.Now(clock));
    }
}
