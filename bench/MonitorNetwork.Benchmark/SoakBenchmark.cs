// Soak: a steady live load for many minutes, printing a line a minute (rate, RSS, managed heap, loss) so a leak or a
// slowing writer shows as a trend. The events come from a child process (this program's hidden soak-emit command)
// over EventPipe, as the driver's come from the kernel over ETW: the collector's RSS measured here is its own, without
// the emitter's allocations or the EventPipe buffers, which live in the emitting process. Not run by CI.
using System.Diagnostics;
using System.Net;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Emitter;

namespace MonitorNetwork.Benchmark;

internal static class SoakBenchmark
{
    public static async Task<int> RunAsync(string dir, int minutes, int rate, int bufferMB)
    {
        // This process is the collector here; the service runs with its heap limit in the environment (Hosting/HeapLimit.cs).
        var limit = Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit");
        Console.WriteLine($"soak: GC heap limit {(limit is null ? "none (the service sets " + Collector.Hosting.HeapLimit.EnvironmentSetting() + ")" : limit)}");
        using var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!)
        {
            ArgumentList = { typeof(SoakBenchmark).Assembly.Location, "soak-emit", "--rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                             "--minutes", minutes.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var childOutput = child.StandardOutput.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(2)); // the child's runtime opens its diagnostics port
        var source = new EventPipeLiveSource(child.Id, ProviderContract.Keywords.All, bufferSizeMB: bufferMB);
        using var stop = new CancellationTokenSource();
        PipelineCounters? counters = null;
        var run = CollectionRun.ExecuteAsync(new RunSettings(Path.Combine(dir, "soak.db"), new PipelineOptions(), TimeSpan.FromSeconds(1))
            { PageCacheMiB = Collector.Store.StoreDatabase.LivePageCacheMiB }, // as collect runs
            source, stop.Token, onPoll: (_, c) => counters = c);
        await source.Started;
        var samples = new List<(double Rss, long Written)>();
        using var self = Process.GetCurrentProcess();
        for (var minute = 1; minute <= minutes; minute++)
        {
            await Task.Delay(TimeSpan.FromMinutes(1));
            var c = counters?.Snapshot() ?? default;
            self.Refresh();
            var rss = self.WorkingSet64 / 1048576.0;
            samples.Add((rss, c.Written));
            var previous = samples.Count > 1 ? samples[^2].Written : 0;
            Console.WriteLine($"soak minute {minute}: written {c.Written:N0} (+{(c.Written - previous) / 60.0:N0}/s), collector RSS {rss:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB (GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F0} MiB), dropped {c.Dropped:N0}, lost {c.Lost:N0}");
        }
        var emitted = long.Parse((await childOutput).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await child.WaitForExitAsync();
        stop.Cancel();
        var result = await run;
        var steadyRss = samples.Skip(1).Select(s => s.Rss).ToList();
        var ok = result.Counters.Dropped == 0 && result.Counters.Lost == 0 && result.Counters.Written == result.Counters.Received;
        Console.WriteLine($"soak: {minutes} min at {rate:N0} events/s: {emitted:N0} emitted, written {result.Counters.Written:N0}, dropped {result.Counters.Dropped}, lost {result.Counters.Lost}; collector RSS after the first minute {steadyRss.DefaultIfEmpty(0).Min():F0}-{steadyRss.DefaultIfEmpty(0).Max():F0} MiB (target <= 128) -> {(ok ? "zero loss" : "LOSS")}");
        return ok ? 0 : 1;
    }

    /// <summary>The child: waits for the collector's session, emits for the given time, prints how many events it wrote.</summary>
    public static async Task<int> EmitAsync(int minutes, int rate)
    {
        var waited = Stopwatch.StartNew();
        while (!TestEmitter.Log.IsEnabled() && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10);
        var ga = TestEmitter.AsGuid(NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.1")));
        var gb = TestEmitter.AsGuid(NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.2")));
        var flow = 0UL;
        var emitted = await PacedEmitter.RunAsync(rate, TimeSpan.FromMinutes(minutes), i =>
        {
            // A flow every 100 events, so flows, streams and rollups churn as in real traffic.
            if (i % 100 == 0)
            {
                if (flow > 0) TestEmitter.Log.FlowDeleted(flow, (uint)(flow % 500), 0, 6, ga, (ushort)(flow % 60000), gb, 443, 49, 4900, 49, 4900);
                flow++;
                TestEmitter.Log.FlowEstablished(flow, (uint)(flow % 500), 0, 6, ga, (ushort)(flow % 60000), gb, 443, "soak.exe");
            }
            else
            {
                TestEmitter.Log.Packet(flow, (uint)(flow % 500), (byte)(i & 1), 6, ga, (ushort)(flow % 60000), gb, 443, 100);
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(3)); // let the session read the last buffers before the process goes
        Console.WriteLine(emitted + (flow > 0 ? (long)flow - 1 : 0)); // calls, plus the FlowDeleted a flow change adds
        return 0;
    }
}
