// Turns failed batches into log lines a person can act on, without one line per batch while a disk stays full.
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Reports batches the store could not take; the first at once, then at most one summary per quiet period.</summary>
public sealed class WriteFailureReporter(ILogger logger, TimeSpan quietPeriod)
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteFull = 13, SqliteReadOnly = 8, SqliteIoErr = 10, SqliteCantOpen = 14;
    private readonly object _gate = new();
    private DateTime _lastReport = DateTime.MinValue;
    private long _batchesSinceReport, _eventsSinceReport;

    /// <summary>Events dropped because the store refused them, over the whole run.</summary>
    public long EventsDropped { get; private set; }

    /// <summary>Called by the pipeline for each batch that could not be committed.</summary>
    public void Report(Exception error, int events)
    {
        lock (_gate)
        {
            EventsDropped += events;
            _batchesSinceReport++;
            _eventsSinceReport += events;
            var now = DateTime.UtcNow;
            if (now - _lastReport < quietPeriod) return;
            logger.LogError("{Reason}: {Events} events in {Batches} batches dropped (counted in the session's dropped events); collection continues",
                Describe(error), _eventsSinceReport, _batchesSinceReport);
            _lastReport = now;
            _batchesSinceReport = _eventsSinceReport = 0;
        }
    }

    /// <summary>One line on why the store refused a batch.</summary>
    public static string Describe(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } => "the database or its disk is full (storing resumes by itself when space returns)",
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => "another process kept the database locked through every retry",
        SqliteException { SqliteErrorCode: SqliteReadOnly or SqliteCantOpen } => "the database became read-only or unreachable",
        SqliteException { SqliteErrorCode: SqliteIoErr } e => $"disk I/O error ({e.Message.Split('\n')[0]})",
        _ => $"the store failed: {error.Message.Split('\n')[0]}",
    };
}
