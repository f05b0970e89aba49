// A live EventPipe session on a .NET process that hosts a MonitorNetwork EventSource (our test emitter, or
// the benchmark's). It takes the same route as ETW events, which is how the pipeline is proven on Linux.
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Collects the MonitorNetwork provider from a process over EventPipe.</summary>
public sealed class EventPipeLiveSource(int processId, ulong keywords, int bufferSizeMB = 256) : ITraceSource
{
    /// <inheritdoc/>
    public Decoding.IEventDecoder Decoder { get; } = EtwProvider.RecordingDecoder();

    private EventPipeEventSource? _source;
    private long _lostAtEnd;

    /// <inheritdoc/>
    public string Kind => "eventpipe";
    /// <inheritdoc/>
    public string? Detail => $"pid {processId}";
    /// <inheritdoc/>
    public bool IsLive => true;
    /// <inheritdoc/>
    public double? Progress => null;
    /// <inheritdoc/>
    public long EventsLost => _source?.EventsLost ?? Interlocked.Read(ref _lostAtEnd);

    /// <summary>Set once the session is open and events will be received.</summary>
    public Task Started => _started.Task;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc/>
    public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        var providers = new[]
        {
            new EventPipeProvider(ProviderContract.ProviderName, EventLevel.Verbose, (long)keywords),
            // The test emitter's stand-in for Windows' DNS client (an EventSource of that name).
            new EventPipeProvider(Decoding.DnsClientDecoder.ProviderName, EventLevel.Informational),
        };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, bufferSizeMB, cancellationToken).ConfigureAwait(false);
        using var source = new EventPipeEventSource(session.EventStream);
        _source = source;
        // Stopping the session ends the stream, which ends Process() after the last buffered event:
        // that is the drain. Cancelling the processing loop directly would discard those events.
        using var stop = cancellationToken.Register(() => { try { session.Stop(); } catch (ServerNotAvailableException) { } });
        _started.TrySetResult();
        await TraceProcessing.RunAsync(source, router, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Exchange(ref _lostAtEnd, source.EventsLost);
    }
}
