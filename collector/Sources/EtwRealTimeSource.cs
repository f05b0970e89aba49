// The production live source: a real-time ETW session with the driver's (or Kernel-Network's) provider enabled.
// Its lifecycle, which CollectionRun drives: start (refuse to take over a running session unless forced; dispose
// the session if enabling a provider fails), process until the cancellation token fires, then read the final
// loss BEFORE stopping the session (TraceEvent's loss getter throws on a stopped session), stop (ETW flushes its
// buffers and processing ends after the last event: the drain), dispose. The session itself is behind
// IEtwSession, so all of this runs in Linux tests with a fake.
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Settings of the real-time session.</summary>
/// <param name="SessionName">ETW session name.</param>
/// <param name="BufferSizeMB">Session buffer memory; larger absorbs longer bursts before ETW drops.</param>
/// <param name="Force">Replace a running session of the same name (a crashed run's) instead of refusing.</param>
public sealed record EtwSessionOptions(string SessionName, int BufferSizeMB, bool Force = false);

/// <summary>Collects a provider's events live through ETW: the driver's, or Kernel-Network's.</summary>
/// <param name="options">Session settings.</param>
/// <param name="provider">What to enable and how to decode it.</param>
/// <param name="sessions">The ETW edge (TraceEvent on Windows, a fake in tests).</param>
/// <param name="snapshot">The processes already running (the rundown), taken while events already flow.</param>
/// <param name="ownerLocks">Where the sessions' ownership locks live (SessionOwnerLock; tests give their own).</param>
public sealed class EtwRealTimeSource(
    EtwSessionOptions options, EtwProvider provider, IEtwSessionFactory sessions,
    Func<long, IEnumerable<ProcessStartedEvent>>? snapshot = null, string? ownerLocks = null) : ITraceSource
{
    /// <summary>The health_event a session writes when the driver was expected but not running.</summary>
    public const string DriverMissingEvent = "DriverMissing";

    /// <summary>What Windows' refusal to start the session (ERROR_ACCESS_DENIED from StartTrace or EnableTraceEx2) means.</summary>
    public const string AccessDeniedMessage =
        "access denied starting the ETW session: run from an elevated prompt or as a member of Performance Log Users (or install the service)";

    /// <summary>The health row of a run that replaced the session a crashed run of ours left behind.</summary>
    public const string StaleSessionReplacedEvent = "StaleSessionReplaced";

    /// <summary>Set when this run took over a session a crashed run had left behind (the service's recovery).</summary>
    public bool TookOverStaleSession { get; private set; }

    private readonly Func<long, IEnumerable<ProcessStartedEvent>> _snapshot = snapshot ?? ProcessSnapshot.Take;
    private IEtwSession? _session;
    private long _lost, _buffersLost;

    /// <inheritdoc/>
    public string Kind => provider.Kind;
    /// <inheritdoc/>
    public string? Detail => options.SessionName;
    /// <inheritdoc/>
    public bool IsLive => true;
    /// <inheritdoc/>
    public double? Progress => null;

    /// <summary>The last loss the session reported; never throws, whatever state the session is in.</summary>
    public long EventsLost => Latest(ref _lost);

    /// <summary>The last count of undelivered buffers the session reported (RealTimeBuffersLost + LogBuffersLost).</summary>
    public long BuffersLost => Latest(ref _buffersLost);

    private long Latest(ref long total)
    {
        if (Volatile.Read(ref _session) is { } session) ReadLoss(session);
        return Interlocked.Read(ref total);
    }

    /// <inheritdoc/>
    public Decoding.IEventDecoder Decoder { get; } = provider.CreateDecoder();

    /// <inheritdoc/>
    public Decoding.FlowRecordBuilder? FlowRecords { get; } = provider.CreateFlowRecords();

    /// <inheritdoc/>
    public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
    {
        // Held for the whole run: the OS drops it if this process dies, which is what marks the session stale.
        using var owner = SessionOwnerLock.TryAcquire(options.SessionName, ownerLocks);
        var exists = sessions.SessionExists(options.SessionName);
        if (!options.Force && (owner.Busy || owner.Unknowable && exists))
            throw new MonitorNetworkException(FailureKind.SessionBusy, owner.Busy
                ? $"another collect is running (session {options.SessionName}); stop it first, or use --force to replace its session anyway"
                : $"session {options.SessionName} is running, and only an administrator can tell whether its collector is alive: run elevated, or use --force only if you know it is stale");
        // Our exact name, and nobody alive owns it: a crashed run left it. Create() stops and replaces it.
        TookOverStaleSession = owner.Held is not null && exists;
        var session = Start();
        Volatile.Write(ref _session, session);
        try
        {
            using var stop = cancellationToken.Register(() =>
            {
                ReadLoss(session); // the final loss, while the session still answers
                Volatile.Write(ref _session, null);
                session.Stop();
            });
            if (TookOverStaleSession)
            {
                // In the store, so a crash loop shows up in the data and not only in the Event Log.
                router.Post(new HealthEvent(Events.UnixMicros.Now(), StaleSessionReplacedEvent, [new("stale_session_replaced", 1UL)]));
            }
            if (provider.DriverExpectedButMissing)
            {
                // Loud, in the store itself: this session has no per-flow bytes from the driver (stats, service status).
                router.Post(new HealthEvent(Events.UnixMicros.Now(), DriverMissingEvent, [new("driver_service_installed", 1UL), new("driver_running", 0UL)]));
            }
            var processing = session.ProcessAsync(router);
            // Programs already running get no start event: record them while events already flow, so ETW's
            // buffers do not fill during the (slow) snapshot.
            var rundown = Task.Run(() => PostSnapshot(router), CancellationToken.None);
            await processing.ConfigureAwait(false);
            await rundown.ConfigureAwait(false);
        }
        finally
        {
            if (Volatile.Read(ref _session) is not null) ReadLoss(session); // ended without a stop: read it now
            Volatile.Write(ref _session, null);
            session.Dispose();
        }
    }

    private IEtwSession Start()
    {
        var session = sessions.Create(options);
        try
        {
            foreach (var spec in provider.Providers) session.EnableProvider(spec);
            return session;
        }
        catch (Exception ex)
        {
            session.Dispose(); // never leave a started session behind
            if (ex is MonitorNetworkException) throw;
            throw EtwStartFailure.Classify(ex, options.SessionName);
        }
    }

    private void ReadLoss(IEtwSession session)
    {
        try
        {
            var lost = session.QueryLost();
            Pipeline.RunningTotal.RaiseTo(ref _lost, lost.EventsLost);
            Pipeline.RunningTotal.RaiseTo(ref _buffersLost, lost.BuffersLost);
        }
#pragma warning disable CA1031 // A stopped or stopping session cannot answer; the last answer stands.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void PostSnapshot(EventRouter router)
    {
        try
        {
            foreach (var running in _snapshot(Events.UnixMicros.Now()))
                router.Post(running);
        }
#pragma warning disable CA1031 // Best effort (WMI can fail with COM errors): collection goes on without the rundown.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
