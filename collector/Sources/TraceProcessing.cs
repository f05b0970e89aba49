// Runs a TraceEvent dispatcher's blocking Process() loop on its own thread, with cancellation mapped to
// StopProcessing, so every source handles stop the same way.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Shared processing loop for TraceEvent-based sources.</summary>
internal static class TraceProcessing
{
    /// <summary>Attaches the router and processes <paramref name="source"/> until it ends or is cancelled.</summary>
    public static Task RunAsync(TraceEventDispatcher source, EventRouter router, CancellationToken cancellationToken)
    {
        router.Attach(source);
        return Task.Factory.StartNew(() =>
        {
            using var stop = cancellationToken.Register(static s => ((TraceEventDispatcher)s!).StopProcessing(), source);
            source.Process();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
