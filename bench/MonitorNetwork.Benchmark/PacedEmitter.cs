// Emits events at a fixed rate for a fixed time, in 1 ms slices: each slice emits what the schedule says is due,
// then yields. Shared by the live and soak benchmarks so both pace the same way.
using System.Diagnostics;

namespace MonitorNetwork.Benchmark;

internal static class PacedEmitter
{
    /// <summary>Calls <paramref name="emit"/> with 0, 1, 2, ... at <paramref name="rate"/> per second; returns how many it emitted.</summary>
    public static Task<long> RunAsync(int rate, TimeSpan duration, Action<long> emit) => Task.Run(() =>
    {
        var emitted = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            while (emitted < due) emit(emitted++);
            Thread.Sleep(1);
        }
        return emitted;
    });
}
