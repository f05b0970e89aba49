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
    /// <summary>An output file's folder is read-only.</summary>
    OutputReadOnly = FailureKind.OutputReadOnly,
    /// <summary>The disk filled while an output file was written; the old file is untouched.</summary>
    OutputDiskFull = FailureKind.OutputDiskFull,
    /// <summary>An output path is too long for the OS.</summary>
    OutputPathTooLong = FailureKind.OutputPathTooLong,
    /// <summary>An output file's folder does not exist.</summary>
    OutputNoSuchFolder = FailureKind.OutputNoSuchFolder,
    /// <summary>The path is the store, a directory, a device, a FIFO or a socket where a file was expected.</summary>
    NotARegularFile = FailureKind.NotARegularFile,
    /// <summary>appsettings.json is malformed, or a setting has the wrong type.</summary>
    BadConfiguration = FailureKind.BadConfiguration,
    /// <summary>Another export of this store or into this lake is running.</summary>
    ExportBusy = FailureKind.ExportBusy,
    /// <summary>Windows has no room for another ETW session.</summary>
    EtwNoResources = FailureKind.EtwNoResources,
    /// <summary>Stopped by Ctrl+C before the input was finished (what was read is committed).</summary>
    Interrupted = Hosting.StopSignals.InterruptedExitCode,
}

/// <summary>Maps failures to exit codes and one-line messages.</summary>
public static partial class Failure
{
    /// <summary>The exit code and the single line to print for <paramref name="ex"/>.</summary>
    public static (ExitCode Code, string Message) Describe(Exception ex) => ex switch
    {
        MonitorNetworkException m => (ToExitCode(m.Kind), m.Message),
        SqliteException { SqliteErrorCode: 5 or 6 } s => (ExitCode.DatabaseBusy, $"the database stayed locked by another process past the retry window (SQLite {s.SqliteErrorCode}); try again when it is free"),
        SqliteException { SqliteErrorCode: 8 } => (ExitCode.DatabaseUnwritable, "the database is read-only for this process"),
        SqliteException { SqliteErrorCode: 13 } => (ExitCode.DatabaseUnwritable, "the disk or the database is full"),
        SqliteException s => (ExitCode.Unexpected, $"database error (SQLite {s.SqliteErrorCode}): {OneLine(s.Message)}"),
        InvalidDataException d when d.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) => (ExitCode.BadConfiguration, BadJson(d)),
        InvalidOperationException o when ConfigurationValue().Match(o.Message) is { Success: true } m =>
            (ExitCode.BadConfiguration, $"configuration: {m.Groups["k"].Value}{(m.Groups["v"].Success ? $" = '{m.Groups["v"].Value}'" : "")} is not a valid {Friendly(m.Groups["t"].Value)} (appsettings.json, or MONITORNETWORK_{m.Groups["k"].Value.Replace(":", "__", StringComparison.Ordinal)})"),
        UnauthorizedAccessException u => (ExitCode.AccessDenied, OneLine(u.Message)),
        PlatformNotSupportedException p => (ExitCode.NotSupportedOnThisOS, OneLine(p.Message)),
        _ => (ExitCode.Unexpected, $"unexpected error ({ex.GetType().Name}): {OneLine(ex.Message)}"),
    };

    /// <summary>The exit code of a failure kind: its own value.</summary>
    public static ExitCode ToExitCode(FailureKind kind) => (ExitCode)(int)kind;

    private static string OneLine(string message) => message.Split('\n', 2)[0].Trim();

    // Microsoft.Extensions.Configuration's wording, with or without the value:
    // "Failed to convert configuration value 'x' at 'Collector:Key' to type 'System.Int32'."
    [System.Text.RegularExpressions.GeneratedRegex(@"configuration value (?:'(?<v>[^']*)' )?at '(?<k>[^']+)' to type '(?<t>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex ConfigurationValue();

    private static string Friendly(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.UInt64" => "whole number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "duration (00:05:00)",
        _ => type.Replace("System.", "", StringComparison.Ordinal),
    };

    /// <summary>"appsettings.json line 4, position 12: ...", from the loader's exception and JSON's own position.</summary>
    private static string BadJson(InvalidDataException outer)
    {
        var file = System.Text.RegularExpressions.Regex.Match(outer.Message, "file '([^']+)'") is { Success: true } m ? m.Groups[1].Value : "appsettings.json";
        // System.Text.Json's reader exception is internal: its message carries "LineNumber: N | BytePositionInLine: M".
        var inner = outer.InnerException;
        while (inner is not null && inner.GetType().Name != "JsonReaderException" && inner is not System.Text.Json.JsonException) inner = inner.InnerException;
        if (inner is null) return $"configuration: {file}: {OneLine(outer.InnerException?.Message ?? outer.Message)}";
        var at = System.Text.RegularExpressions.Regex.Match(inner.Message, @"LineNumber: (\d+) \| BytePositionInLine: (\d+)");
        var where = at.Success ? $" line {long.Parse(at.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}, position {long.Parse(at.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}" : "";
        var what = inner.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].Trim();
        return $"configuration: {file}{where}: not valid JSON ({what})";
    }
}
