// Where import time goes: TraceEvent parsing alone, then parsing plus our decoder and pipeline with a writer that
// stores nothing. The difference to the full import is the store's share.
using System.Diagnostics;
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Benchmark;

internal static class DecodeBenchmark
{
    private sealed class NullWriter : IEventBatchWriter
    {
        public void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters) { }
    }

    public static async Task RunAsync(string trace)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        using (var source = new EventPipeEventSource(trace))
        {
            source.Dynamic.All += _ => count++;
            source.Process();
        }
        Console.WriteLine($"parse only (Dynamic.All, counting): {count:N0} events in {clock.Elapsed.TotalSeconds:F2} s = {count / clock.Elapsed.TotalSeconds:N0}/s");

        clock.Restart();
        var pipeline = new EventPipeline(new NullWriter(), new PipelineOptions { BlockWhenFull = true, QueueCapacity = 20_000 });
        pipeline.Start();
        using (var source = new EventPipeEventSource(trace))
        {
            new EventRouter(pipeline).Attach(source);
            source.Process();
        }
        await pipeline.StopAsync();
        Console.WriteLine($"parse + decode + pipeline (writer stores nothing): {pipeline.Counters.Received:N0} events in {clock.Elapsed.TotalSeconds:F2} s = {pipeline.Counters.Received / clock.Elapsed.TotalSeconds:N0}/s");
    }
}
