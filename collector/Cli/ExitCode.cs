// Every exit code monitornetwork returns, and the one place that turns a failure into a code and a line.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Process exit codes; documented in the README.</summary>
public enum ExitCode
{
    /// <summary>Done.</summary>
    Success = 0,
    /// <summary>An unexpected error (a bug, or an OS error we did not foresee).</summary>
    Unexpected = FailureKind.Unexpected,
    /// <summary>Bad command line: unknown option, missing argument, malformed value.</summary>
    Usage = FailureKind.Usage,
    /// <summary>An input file or database does not exist.</summary>
    NotFound = FailureKind.NotFound,
    /// <summary>A trace file is truncated, corrupt, or not a trace.</summary>
    BadTraceFile = FailureKind.BadTraceFile,
    /// <summary>The database is not SQLite, or not a MonitorNetwork database.</summary>
    NotMonitorNetworkDatabase = FailureKind.NotMonitorNetworkDatabase,
    /// <summary>The database was written by a newer monitornetwork.</summary>
    DatabaseTooNew = FailureKind.DatabaseTooNew,
    /// <summary>The database or its directory cannot be created or written.</summary>
    DatabaseUnwritable = FailureKind.DatabaseUnwritable,
    /// <summary>Not available on this operating system.</summary>
    NotSupportedOnThisOS = FailureKind.NotSupportedOnThisOS,
    /// <summary>Access denied; run elevated.</summary>
    AccessDenied = FailureKind.AccessDenied,
    /// <summary>SQLite rejected a query, or a query tried to write.</summary>
    QueryFailed = FailureKind.QueryFailed,
    /// <summary>The database has an older schema; collect or import upgrade it.</summary>
    DatabaseTooOld = FailureKind.DatabaseTooOld,
    /// <summary>Another collect (or the service) already runs the ETW session; --force replaces a stale one.</summary>
    SessionBusy = FailureKind.SessionBusy,
    /// <summary>The Service Control Manager refused a service step.</summary>
    ServiceFailed = FailureKind.ServiceFailed,
    /// <summary>A query ran past its time limit.</summary>
    QueryTimeout = FailureKind.QueryTimeout,
    /// <summary>The database stayed locked past the retry window.</summary>
    DatabaseBusy = FailureKind.DatabaseBusy,
    /// <summary>The recording is in the store already.</summary>
    AlreadyImported = FailureKind.AlreadyImported,
    /// <summary>Stopped by Ctrl+C before the input was finished (what was read is committed).</summary>
    Interrupted = Hosting.StopSignals.InterruptedExitCode,
}

/// <summary>Maps failures to exit codes and one-line messages.</summary>
public static class Failure
{
    /// <summary>The exit code and the single line to print for <paramref name="ex"/>.</summary>
    public static (ExitCode Code, string Message) Describe(Exception ex) => ex switch
    {
        MonitorNetworkException m => (ToExitCode(m.Kind), m.Message),
        SqliteException { SqliteErrorCode: 5 or 6 } s => (ExitCode.DatabaseBusy, $"the database stayed locked by another process past the retry window (SQLite {s.SqliteErrorCode}); try again when it is free"),
        SqliteException { SqliteErrorCode: 8 } => (ExitCode.DatabaseUnwritable, "the database is read-only for this process"),
        SqliteException { SqliteErrorCode: 13 } => (ExitCode.DatabaseUnwritable, "the disk or the database is full"),
        SqliteException s => (ExitCode.Unexpected, $"database error (SQLite {s.SqliteErrorCode}): {OneLine(s.Message)}"),
        UnauthorizedAccessException u => (ExitCode.AccessDenied, OneLine(u.Message)),
        PlatformNotSupportedException p => (ExitCode.NotSupportedOnThisOS, OneLine(p.Message)),
        _ => (ExitCode.Unexpected, $"unexpected error ({ex.GetType().Name}): {OneLine(ex.Message)}"),
    };

    /// <summary>The exit code of a failure kind: its own value.</summary>
    public static ExitCode ToExitCode(FailureKind kind) => (ExitCode)(int)kind;

    private static string OneLine(string message) => message.Split('\n', 2)[0].Trim();
}
