// The production source: a TraceEvent real-time ETW session with the MonitorNetwork provider enabled by GUID.
// Thin on purpose; everything after the callback is the shared, tested pipeline.
using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Session;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Settings of the real-time session.</summary>
/// <param name="SessionName">ETW session name; a stale session of this name (a crashed run) is stopped and replaced.</param>
/// <param name="BufferSizeMB">Session buffer memory; larger absorbs longer bursts before ETW drops.</param>
public sealed record EtwSessionOptions(string SessionName, int BufferSizeMB);

/// <summary>Collects a provider's events live through ETW: the driver's, or Kernel-Network's.</summary>
[SupportedOSPlatform("windows")]
public sealed class EtwRealTimeSource(EtwSessionOptions options, EtwProvider provider) : ITraceSource
{
    private TraceEventSession? _session;
    private long _lostAtEnd;

    /// <inheritdoc/>
    public string Kind => provider.Kind;
    /// <inheritdoc/>
    public string? Detail => options.SessionName;
    /// <inheritdoc/>
    public double? Progress => null;
    /// <inheritdoc/>
    public long EventsLost => _session is { } s ? s.EventsLost : Interlocked.Read(ref _lostAtEnd);

    /// <inheritdoc/>
    public Decoding.IEventDecoder CreateDecoder() => provider.CreateDecoder();

    /// <inheritdoc/>
    public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
    {
        if (TraceEventSession.IsElevated() != true)
            throw new MonitorNetworkException(FailureKind.AccessDenied, "collect needs an elevated prompt: run it as administrator (or install it as a service)");
        TraceEventSession session;
        try
        {
            // BufferSizeMB must be set before Source is first touched, or TraceEvent silently ignores it.
            // The constructor stops and restarts a same-named session left behind by a crashed run.
            session = new TraceEventSession(options.SessionName) { BufferSizeMB = options.BufferSizeMB, StopOnDispose = true };
            foreach (var spec in provider.Providers)
                session.EnableProvider(spec.Guid, (TraceEventLevel)spec.Level, spec.Keywords);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new MonitorNetworkException(FailureKind.AccessDenied, "access denied opening the ETW session: run as administrator", ex);
        }
        _session = session;
        try
        {
            // Stopping the session flushes its buffers and ends Process() after the last event: the drain.
            using var stop = cancellationToken.Register(() => session.Stop());
            // Programs already running get no start event: record them now (the rundown).
            foreach (var running in ProcessSnapshot.Take((DateTime.UtcNow - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond))
                router.Pipeline.Post(running);
            await TraceProcessing.RunAsync(session.Source, router, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _lostAtEnd, session.EventsLost);
            _session = null;
            session.Dispose();
        }
    }
}
