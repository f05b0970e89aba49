// Keeps a live store within its retention and size limits. It runs on the writer's thread between batches, in
// small chunks (each DELETE its own short transaction) within a time budget, so ingest never waits long: packets
// go first, oldest first; flows and minute rollups are kept longer; freed pages go back to the file system through
// incremental vacuum.
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>Deletes old or excess data in chunks. Use only from the writer's thread.</summary>
public sealed class StorePruner(SqliteConnection connection, RetentionOptions options, Func<DateTimeOffset> now)
{
    private long _lastPass = long.MinValue;

    /// <summary>Rows deleted so far.</summary>
    public long PacketsDeleted { get; private set; }
    /// <summary>Rows deleted so far.</summary>
    public long FlowsDeleted { get; private set; }
    /// <summary>Rows deleted so far.</summary>
    public long MinutesDeleted { get; private set; }
    /// <summary>Streams deleted so far; the writer forgets its cached stream ids when this changes.</summary>
    public long StreamsDeleted { get; private set; }
    /// <summary>Remotes deleted so far; the writer forgets its cached remote ids when this changes.</summary>
    public long RemotesDeleted { get; private set; }

    /// <summary>Bytes of database pages in use (free pages and the WAL excluded).</summary>
    public long UsedBytes() => connection.ExecuteScalar<long>(
        "SELECT ((SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())) * (SELECT page_size FROM pragma_page_size())");

    /// <summary>Runs a pass when the interval has passed since the last one.</summary>
    public void MaybeRun()
    {
        var t = Stopwatch.GetTimestamp();
        if (_lastPass != long.MinValue && Stopwatch.GetElapsedTime(_lastPass, t) < options.Interval) return;
        _lastPass = t;
        RunPass();
    }

    /// <summary>One pass: the age limits, then the size limit, within the pass budget.</summary>
    public void RunPass()
    {
        var clock = Stopwatch.StartNew();
        var nowUs = Events.UnixMicros.From(now());
        var packetCutoff = nowUs - (long)options.PacketRetention.TotalMicroseconds;
        var flowCutoff = nowUs - (long)options.FlowRetention.TotalMicroseconds;
        while (clock.Elapsed < options.PassBudget
               && DeletePackets(packetCutoff) + DeleteFlows(flowCutoff) + DeleteMinutes(flowCutoff) + DeleteStreams() + DeleteDnsAnswers(flowCutoff)
                  + DeleteRemotes(flowCutoff) > 0) { }
        while (clock.Elapsed < options.PassBudget && UsedBytes() > options.MaxDatabaseBytes)
        {
            // Over the size limit: the oldest packets go whatever their age; when none are left, the oldest flows and minutes.
            if (DeletePackets(long.MaxValue) == 0 && DeleteFlows(long.MaxValue) == 0 && DeleteMinutes(long.MaxValue) + DeleteStreams() == 0) break;
        }
        connection.Execute("PRAGMA incremental_vacuum(4096)");
    }

    // Row ids grow with time, so the first rows by id are the oldest: each chunk looks at most ChunkRows of them.
    private int DeletePackets(long cutoffUs)
    {
        var n = connection.Execute(
            "DELETE FROM packet WHERE rowid IN (SELECT rowid FROM packet ORDER BY rowid LIMIT @chunk) AND ts_us < @cutoff",
            new { chunk = options.ChunkRows, cutoff = cutoffUs });
        PacketsDeleted += n;
        return n;
    }

    private int DeleteFlows(long cutoffUs)
    {
        var n = connection.Execute("""
            DELETE FROM flow_row WHERE flow_key IN (SELECT flow_key FROM flow_row ORDER BY flow_key LIMIT @chunk)
              AND coalesce(end_ts_us, start_ts_us) < @cutoff
            """, new { chunk = options.ChunkRows, cutoff = cutoffUs });
        FlowsDeleted += n;
        return n;
    }

    /// <summary>
    /// Streams with no minute rows left. Every packet has its minute row (written in the same transaction) and minutes
    /// outlive packets, so such a stream has no packets either; the packet table is not searched (it has no stream index).
    /// </summary>
    private int DeleteStreams()
    {
        var n = connection.Execute("""
            DELETE FROM packet_stream WHERE stream_id IN (
                SELECT s.stream_id FROM packet_stream s
                WHERE NOT EXISTS (SELECT 1 FROM packet_minute m WHERE m.stream_id = s.stream_id)
                ORDER BY s.stream_id LIMIT @chunk)
            """, new { chunk = options.ChunkRows });
        StreamsDeleted += n;
        return n;
    }

    /// <summary>Remotes first seen before flow retention that no flow or stream names any more: such an address shows
    /// as new again when it returns.</summary>
    private int DeleteRemotes(long cutoffUs)
    {
        var n = connection.Execute("""
            DELETE FROM remote WHERE remote_id IN (
                SELECT r.remote_id FROM remote r
                WHERE (r.first_ts_us < @cutoff OR r.first_ts_us = @resolvedOnly)
                  AND NOT EXISTS (SELECT 1 FROM flow f WHERE f.remote_id = r.remote_id)
                  AND NOT EXISTS (SELECT 1 FROM packet_stream s WHERE s.remote_id = r.remote_id)
                  AND NOT EXISTS (SELECT 1 FROM dns_answer d WHERE d.remote_id = r.remote_id)
                ORDER BY r.first_ts_us LIMIT @chunk)
            """, new { chunk = options.ChunkRows, cutoff = cutoffUs, resolvedOnly = SqliteEventWriter.ResolvedOnlyFirstUs });
        RemotesDeleted += n;
        return n;
    }

    /// <summary>DNS answers are kept as long as flows: they name them.</summary>
    private int DeleteDnsAnswers(long cutoffUs) => connection.Execute(
        "DELETE FROM dns_answer WHERE rowid IN (SELECT rowid FROM dns_answer WHERE ts_us < @cutoff ORDER BY ts_us LIMIT @chunk)",
        new { chunk = options.ChunkRows, cutoff = cutoffUs });

    private int DeleteMinutes(long cutoffUs)
    {
        var n = connection.Execute("""
            DELETE FROM packet_minute
            WHERE minute < @cutoff / 60000000
              AND minute <= (SELECT max(minute) FROM (SELECT minute FROM packet_minute ORDER BY minute LIMIT @chunk))
            """, new { chunk = options.ChunkRows, cutoff = cutoffUs });
        // Programs' minutes go with flows; their hours and days stay (usage over a year: a few thousand rows a program).
        n += connection.Execute("""
            DELETE FROM program_minute
            WHERE minute < @cutoff / 60000000
              AND minute <= (SELECT max(minute) FROM (SELECT minute FROM program_minute ORDER BY minute LIMIT @chunk))
            """, new { chunk = options.ChunkRows, cutoff = cutoffUs });
        MinutesDeleted += n;
        return n;
    }
}
