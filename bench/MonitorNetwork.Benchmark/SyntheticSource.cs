// An ITraceSource that hands pre-decoded events straight to the pipeline: the store benchmark measures everything
// collect does after decoding (bounded queue, batching, Polly, the writer with rollups), and nothing before it.
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Benchmark;

internal sealed class SyntheticSource(IEnumerable<MonitorEvent> events) : ITraceSource
{
    public string Kind => "benchmark";
    public string? Detail => "synthetic";
    public bool IsLive => true; // measured like collect
    public double? Progress => null;
    public long EventsLost => 0;

    public Task RunAsync(EventRouter router, CancellationToken cancellationToken) => Task.Run(() =>
    {
        foreach (var e in events)
        {
            if (cancellationToken.IsCancellationRequested) break;
            router.Pipeline.Post(e);
        }
    }, CancellationToken.None);
}
