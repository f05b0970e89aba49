// The seam at the ETW edge: what the real-time source needs of a TraceEvent session, so that its own code (start,
// stop, drain, loss, failures) runs in Linux tests against a fake, and TraceEventSession stays in one thin adapter.
using MonitorNetwork.Collector.Routing;
namespace MonitorNetwork.Collector.Sources;

/// <summary>One started real-time session.</summary>
public interface IEtwSession : IDisposable
{
    /// <summary>Enables one provider. The first call starts the session (StartTrace); either throws
    /// <see cref="UnauthorizedAccessException"/> when this account may not control sessions.</summary>
    void EnableProvider(EtwProviderSpec spec);

    /// <summary>Delivers the session's events to <paramref name="router"/> until <see cref="Stop"/> has flushed the last.</summary>
    Task ProcessAsync(EventRouter router);

    /// <summary>Stops the session: ETW flushes its buffers and <see cref="ProcessAsync"/> ends after the last event.</summary>
    void Stop();

    /// <summary>What ETW lost so far, events and whole buffers. May throw once the session is stopped (TraceEvent's getter does).</summary>
    EtwSessionLoss QueryLost();
}

/// <summary>Creates sessions, and answers what the OS knows about them.</summary>
/// <remarks>Who may start a session is Windows' decision, not ours: administrators, members of Performance Log
/// Users, and services as LocalSystem, LocalService or NetworkService. A check of our own beforehand (we had one:
/// an elevated token) refuses some of them, so the collector asks Windows by starting the session.</remarks>
public interface IEtwSessionFactory
{
    /// <summary>Whether a session of this name is running now (another collect, the service, or a crashed run).</summary>
    bool SessionExists(string sessionName);

    /// <summary>Starts a session; a running one of the same name is stopped and replaced.</summary>
    IEtwSession Create(EtwSessionOptions options);
}
