// Runs a trace source into a LiveTopWindow through the collector's router and pipeline, and stops it cleanly.
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Top;

/// <summary>A running top --live session.</summary>
public sealed class LiveTopSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly EventPipeline _pipeline;
    private readonly Task _running;
    private readonly EventRouter _router;

    /// <summary>Starts <paramref name="source"/>; its events feed <see cref="Window"/>.</summary>
    public LiveTopSession(ITraceSource source)
    {
        _pipeline = new EventPipeline(Window, new PipelineOptions { FlushInterval = TimeSpan.FromMilliseconds(200) });
        _pipeline.Start();
        _router = new EventRouter(_pipeline, source.Decoder, new ImagePathNormalizer(VolumeMap.Read()));
        _running = source.RunAsync(_router, _stop.Token);
    }

    /// <summary>The aggregated last minute.</summary>
    public LiveTopWindow Window { get; } = new();

    /// <summary>Received, written and dropped events so far.</summary>
    public PipelineCounters Counters => _pipeline.Counters;

    /// <summary>Ended (failed or stopped) source task; a failure surfaces when awaited.</summary>
    public Task Running => _running;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Waits without rethrowing: a failed source is reported by whoever reads Running, and the pipeline still
        // stops and drains either way.
        await Task.WhenAny(_running).ConfigureAwait(false);
        _router.Finish();
        await _pipeline.StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
