// A stand-in for the ETW edge that is no kinder than TraceEvent: its loss query throws once the session is stopped
// (as TraceEventSession.EventsLost does, through ControlTrace), EnableProvider can fail on any provider, and a
// second session of one name exists only if someone replaced the first. Events arrive as ETW delivers them: on the
// session's own thread, raw (IEventView, what TraceEvent hands the callback) through EventRouter.Route, the code
// Windows runs, while the source's rundown posts from another thread at the same time.
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal sealed class FakeEtwSession(FakeEtwSessions owner, string name) : IEtwSession
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;
    public List<EtwProviderSpec> Enabled { get; } = [];
    public bool IsStopped { get; private set; }
    public bool IsDisposed { get; private set; }
    public long Lost { get; set; }
    public long BuffersLost { get; set; }

    public void EnableProvider(EtwProviderSpec spec)
    {
        // As Windows: nothing refuses the account before StartTrace/EnableTraceEx2 does, with ERROR_ACCESS_DENIED.
        if (owner.Account == FakeAccount.Standard) throw FakeEtwSessions.AsTraceEventThrows(5);
        if (owner.FailEnableAt == Enabled.Count + 1) throw FakeEtwSessions.AsTraceEventThrows(owner.EnableError);
        Enabled.Add(spec);
    }

    public async Task ProcessAsync(EventRouter router)
    {
        var callbacks = new Thread(() =>
        {
            try
            {
                foreach (var view in owner.ViewsToDeliver) router.Route(view);
                foreach (var e in owner.EventsToDeliver) router.Post(e);
                owner.Delivered.TrySetResult();
            }
#pragma warning disable CA1031 // What TraceEvent does with an exception in a callback: processing ends with it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                owner.Delivered.TrySetException(ex);
            }
        }) { IsBackground = true, Name = "fake ETW callbacks" };
        callbacks.Start();
        await Task.WhenAny(owner.Delivered.Task, _stopped.Task).ConfigureAwait(false);
        if (owner.Delivered.Task.IsFaulted) await owner.Delivered.Task.ConfigureAwait(false); // the callback failed: so does processing
        await _stopped.Task.ConfigureAwait(false); // ETW delivers until the session is stopped and flushed
        callbacks.Join();
    }

    public void Stop()
    {
        IsStopped = true;
        owner.Running.Remove(name);
        _stopped.TrySetResult();
    }

    public EtwSessionLoss QueryLost() => IsStopped || IsDisposed
        ? throw new InvalidOperationException("ControlTrace: the instance name passed was not recognized as valid (4201)")
        : new(Lost, BuffersLost);

    public void Dispose()
    {
        if (!IsStopped) Stop();
        IsDisposed = true;
    }
}

/// <summary>Who runs the fake session, as far as Windows' session security is concerned.</summary>
internal enum FakeAccount
{
    /// <summary>An elevated administrator, or the service as LocalSystem.</summary>
    Administrator,
    /// <summary>A non-elevated member of Performance Log Users: Windows lets it start sessions.</summary>
    PerformanceLogUser,
    /// <summary>Anyone else: StartTrace fails with ERROR_ACCESS_DENIED.</summary>
    Standard,
}

internal sealed class FakeEtwSessions : IEtwSessionFactory
{
    public FakeAccount Account { get; set; } = FakeAccount.Administrator;
    /// <summary>This fake's own folder of session ownership locks (SessionOwnerLock), so tests never share one.</summary>
    public string OwnerLocks { get; } = Path.Combine(Path.GetTempPath(), "mn-owner-locks-" + Guid.NewGuid().ToString("N"));
    public HashSet<string> Running { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<FakeEtwSession> Created { get; } = [];
    public List<MonitorEvent> EventsToDeliver { get; } = [];
    /// <summary>Raw events, decoded by the router's decoder on the callback thread, before <see cref="EventsToDeliver"/>.</summary>
    public List<Collector.Decoding.IEventView> ViewsToDeliver { get; } = [];
    /// <summary>Set when the callback thread has delivered everything (or failed).</summary>
    public TaskCompletionSource Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int FailEnableAt { get; set; }
    /// <summary>The Win32 error StartTrace/EnableTraceEx2 returns at <see cref="FailEnableAt"/> (default ERROR_INVALID_PARAMETER).</summary>
    public int EnableError { get; set; } = 87;

    /// <summary>The exception TraceEvent throws for a Win32 error: Marshal.ThrowExceptionForHR(HRESULT_FROM_WIN32(error)).</summary>
    public static Exception AsTraceEventThrows(int win32Error) =>
        System.Runtime.InteropServices.Marshal.GetExceptionForHR(unchecked((int)0x80070000) | win32Error)!;
    public long LossToReport { get; set; }
    public long BuffersLostToReport { get; set; }

    public bool SessionExists(string sessionName) => Running.Contains(sessionName);

    public IEtwSession Create(EtwSessionOptions options)
    {
        var session = new FakeEtwSession(this, options.SessionName) { Lost = LossToReport, BuffersLost = BuffersLostToReport };
        Running.Add(options.SessionName);
        Created.Add(session);
        return session;
    }
}
