// Live collection over EventPipe at fixed emission rates: the highest rate with nothing dropped or lost.
using System.Net;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Emitter;

namespace MonitorNetwork.Benchmark;

internal static class LiveBenchmark
{
    public static async Task RunAsync(string dir, int seconds, int[] rates)
    {
        var best = 0;
        foreach (var rate in rates)
        {
            var (emitted, counters, behind) = await RunOnceAsync(Path.Combine(dir, $"live-{rate}.db"), rate, seconds);
            var clean = counters.Dropped == 0 && counters.Lost == 0 && counters.Received == emitted;
            Console.WriteLine($"live {rate:N0} events/s for {seconds} s: emitted {emitted:N0}, received {counters.Received:N0}, written {counters.Written:N0}, dropped {counters.Dropped:N0}, lost {counters.Lost:N0}{(behind ? " (the emitter itself could not keep this rate)" : "")} -> {(clean ? "zero loss" : "LOSS")}");
            if (clean && !behind) best = Math.Max(best, rate);
        }
        Console.WriteLine($"live: highest rate sustained with zero loss: {best:N0} events/s");
    }

    private static async Task<(long Emitted, CounterSnapshot Counters, bool Behind)> RunOnceAsync(string db, int rate, int seconds)
    {
        var source = new EventPipeLiveSource(Environment.ProcessId, ProviderContract.Keywords.All, bufferSizeMB: 1024);
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)), source, stop.Token);
        await source.Started;
        var a = NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.1"));
        var b = NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.2"));
        var ga = TestEmitter.AsGuid(a);
        var gb = TestEmitter.AsGuid(b);
        var emitted = await PacedEmitter.RunAsync(rate, TimeSpan.FromSeconds(seconds),
            i => TestEmitter.Log.Packet((ulong)(i % 1000 + 1), 1234, (byte)(i & 1), 6, ga, 50000, gb, 443, 100));
        stop.Cancel();
        var result = await run;
        // The emitter shares two cores with the collector; a run that could not emit 99% of its schedule did not test that rate.
        return (emitted, result.Counters, emitted < 0.99 * rate * seconds);
    }
}
