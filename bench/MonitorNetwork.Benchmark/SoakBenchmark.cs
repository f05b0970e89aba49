// Soak: the live EventPipe emitter at a steady rate for many minutes, printing a line a minute (rate, RSS, managed
// heap, loss) so a leak or a slowing writer shows as a trend. Not run by CI; see README, Guarantees.
using System.Net;
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Running;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Emitter;

namespace MonitorNetwork.Benchmark;

internal static class SoakBenchmark
{
    public static async Task<int> RunAsync(string dir, int minutes, int rate)
    {
        var source = new EventPipeLiveSource(Environment.ProcessId, ProviderContract.Keywords.All, bufferSizeMB: 512);
        using var stop = new CancellationTokenSource();
        PipelineCounters? counters = null;
        var run = CollectionRun.ExecuteAsync(new RunSettings(Path.Combine(dir, "soak.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)),
            source, stop.Token, onPoll: (_, c) => counters = c);
        await source.Started;
        var ga = TestEmitter.AsGuid(NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.1")));
        var gb = TestEmitter.AsGuid(NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.2")));
        var samples = new List<(double Rss, long Written)>();
        var flow = 0UL;
        var emitter = PacedEmitter.RunAsync(rate, TimeSpan.FromMinutes(minutes), i =>
        {
            // A flow every 100 packets, so flows, streams and rollups churn as in real traffic.
            if (i % 100 == 0)
            {
                if (flow > 0) TestEmitter.Log.FlowDeleted(flow, 50, 5000, 50, 5000);
                flow++;
                TestEmitter.Log.FlowEstablished(flow, (uint)(flow % 500), 0, 6, ga, (ushort)(flow % 60000), gb, 443, "soak.exe");
            }
            TestEmitter.Log.Packet(flow, (uint)(flow % 500), (byte)(i & 1), 6, ga, (ushort)(flow % 60000), gb, 443, 100);
        });
        for (var minute = 1; minute <= minutes; minute++)
        {
            await Task.Delay(TimeSpan.FromMinutes(1));
            var c = counters?.Snapshot() ?? default;
            var rss = Environment.WorkingSet / 1048576.0;
            samples.Add((rss, c.Written));
            var previous = samples.Count > 1 ? samples[^2].Written : 0;
            Console.WriteLine($"soak minute {minute}: written {c.Written:N0} (+{(c.Written - previous) / 60.0:N0}/s), RSS {rss:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB, dropped {c.Dropped:N0}, lost {c.Lost:N0}");
        }
        var emitted = await emitter;
        stop.Cancel();
        var result = await run;
        var flowEvents = result.Counters.Received - emitted;
        var steadyRss = samples.Skip(1).Select(s => s.Rss).ToList();
        var ok = result.Counters.Dropped == 0 && result.Counters.Lost == 0 && result.Counters.Written == result.Counters.Received;
        Console.WriteLine($"soak: {minutes} min at {rate:N0} packets/s: {emitted:N0} packets + {flowEvents:N0} flow events, written {result.Counters.Written:N0}, dropped {result.Counters.Dropped}, lost {result.Counters.Lost}; RSS after the first minute {steadyRss.DefaultIfEmpty(0).Min():F0}-{steadyRss.DefaultIfEmpty(0).Max():F0} MiB -> {(ok ? "zero loss" : "LOSS")}");
        return ok ? 0 : 1;
    }
}
