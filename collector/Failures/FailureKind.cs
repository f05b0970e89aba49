// The kinds of failure a user can act on. Each member's value IS its process exit code (README, Exit codes);
// Cli/ExitCode.cs adds the two codes that are not failures (success, interrupted) and prints the one line.
namespace MonitorNetwork.Collector.Failures;

/// <summary>What went wrong, in terms a user can act on.</summary>
public enum FailureKind
{
    /// <summary>A bug or an unexpected OS error.</summary>
    Unexpected = 1,
    /// <summary>A bad option, argument or parameter value.</summary>
    Usage = 2,
    /// <summary>An input file or database that does not exist.</summary>
    NotFound = 3,
    /// <summary>A trace file that is truncated, corrupt or not a trace at all.</summary>
    BadTraceFile = 4,
    /// <summary>A file that is not a SQLite database, or a SQLite database that is not ours.</summary>
    NotMonitorNetworkDatabase = 5,
    /// <summary>A database written by a newer monitornetwork.</summary>
    DatabaseTooNew = 6,
    /// <summary>A database of an older schema opened read-only, which cannot upgrade it.</summary>
    DatabaseTooOld = 11,
    /// <summary>A database or directory that cannot be created or written.</summary>
    DatabaseUnwritable = 7,
    /// <summary>A feature this operating system does not have (ETW off Windows).</summary>
    NotSupportedOnThisOS = 8,
    /// <summary>The OS refused: typically not elevated.</summary>
    AccessDenied = 9,
    /// <summary>A query that SQLite rejected, or that tried to write.</summary>
    QueryFailed = 10,
    /// <summary>Another collect (or the service) is running the same ETW session.</summary>
    SessionBusy = 12,
    /// <summary>A service step the Service Control Manager refused (already installed, not installed, cannot stop).</summary>
    ServiceFailed = 13,
    /// <summary>A query ran past its time limit (query --timeout) and was stopped.</summary>
    QueryTimeout = 14,
    /// <summary>The database stayed locked by another process past the retry window.</summary>
    DatabaseBusy = 15,
    /// <summary>The recording is in the store already (import --again or --replace).</summary>
    AlreadyImported = 16,
    /// <summary>An output file's folder is read-only (or this process may not write there).</summary>
    OutputReadOnly = 17,
    /// <summary>The disk (or quota) filled while an output file was written; nothing was replaced.</summary>
    OutputDiskFull = 18,
    /// <summary>An output path is longer than the OS allows.</summary>
    OutputPathTooLong = 19,
    /// <summary>An output file's folder does not exist.</summary>
    OutputNoSuchFolder = 20,
    /// <summary>An output or store path names something that must not be written or opened as one: the store itself
    /// (or its -wal/-shm), a directory, a device, a FIFO or a socket.</summary>
    NotARegularFile = 21,
    /// <summary>appsettings.json (or a MONITORNETWORK_ variable) is malformed or holds a value of the wrong type.</summary>
    BadConfiguration = 22,
    /// <summary>Another export of this store, or into this lake, is running and did not finish in time.</summary>
    ExportBusy = 23,
    /// <summary>Windows has no room for another ETW session (ERROR_NO_SYSTEM_RESOURCES: 64 run at most).</summary>
    EtwNoResources = 24,
}
