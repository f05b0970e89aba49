// The kinds of failure a user can act on. The CLI maps each to its own exit code in one place (Cli/ExitCodes.cs).
namespace MonitorNetwork.Collector.Failures;

/// <summary>What went wrong, in terms a user can act on.</summary>
public enum FailureKind
{
    /// <summary>A bug or an unexpected OS error.</summary>
    Unexpected,
    /// <summary>A bad option, argument or parameter value.</summary>
    Usage,
    /// <summary>An input file or database that does not exist.</summary>
    NotFound,
    /// <summary>A trace file that is truncated, corrupt or not a trace at all.</summary>
    BadTraceFile,
    /// <summary>A file that is not a SQLite database, or a SQLite database that is not ours.</summary>
    NotMonitorNetworkDatabase,
    /// <summary>A database written by a newer monitornetwork.</summary>
    DatabaseTooNew,
    /// <summary>A database of an older schema opened read-only, which cannot upgrade it.</summary>
    DatabaseTooOld,
    /// <summary>A database or directory that cannot be created or written.</summary>
    DatabaseUnwritable,
    /// <summary>A feature this operating system does not have (ETW off Windows).</summary>
    NotSupportedOnThisOS,
    /// <summary>The OS refused: typically not elevated.</summary>
    AccessDenied,
    /// <summary>A query that SQLite rejected, or that tried to write.</summary>
    QueryFailed,
    /// <summary>Another collect (or the service) is running the same ETW session.</summary>
    SessionBusy,
}
