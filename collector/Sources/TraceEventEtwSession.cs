// The Windows side of the IEtwSession seam: TraceEvent's TraceEventSession, and nothing else. Everything it does
// is one TraceEvent call; the decisions (takeover, loss, teardown order) are EtwRealTimeSource's, tested on Linux.
using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Session;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>A TraceEvent real-time session.</summary>
[SupportedOSPlatform("windows")]
internal sealed class TraceEventEtwSession : IEtwSession
{
    private readonly TraceEventSession _session;

    public TraceEventEtwSession(EtwSessionOptions options)
    {
        // The session starts at the first EnableProvider, which is when its buffer size is used, so it is set here.
        // 0 keeps TraceEvent's own default, max(64, 2 x processors) MB. The default options restart a same-named
        // session: EtwRealTimeSource decides beforehand whether that is allowed.
        _session = new TraceEventSession(options.SessionName) { StopOnDispose = true };
        if (options.BufferSizeMB > 0) _session.BufferSizeMB = options.BufferSizeMB;
    }

    public void EnableProvider(EtwProviderSpec spec) => _session.EnableProvider(spec.Guid, (TraceEventLevel)spec.Level, spec.Keywords);

    public Task ProcessAsync(EventRouter router) => TraceProcessing.RunAsync(_session.Source, router, CancellationToken.None);

    public void Stop() => _session.Stop();

    // EventsLost through TraceEvent (it throws once stopped, which the caller expects); buffers through ControlTrace.
    public EtwSessionLoss QueryLost() => new(_session.EventsLost, EtwSessionQuery.Query(_session.SessionName)?.BuffersLost ?? 0);

    public void Dispose() => _session.Dispose();
}

/// <summary>Creates <see cref="TraceEventEtwSession"/>s.</summary>
[SupportedOSPlatform("windows")]
public sealed class TraceEventEtwSessionFactory : IEtwSessionFactory
{
    /// <inheritdoc/>
    public bool SessionExists(string sessionName) =>
        TraceEventSession.GetActiveSessionNames().Contains(sessionName, StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public IEtwSession Create(EtwSessionOptions options) => new TraceEventEtwSession(options);
}
