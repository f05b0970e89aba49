// A flow's segments (NetFlow's active timeout), computed once for every exporter (the Parquet lake, IPFIX): each
// export sends, per flow that moved since its previous segment, what it moved, from where the previous segment ended
// to the time of its newest counters (or its end). The sum of a flow's segments is the store's totals for it; its
// identity (flow id and start) is the same on every segment. A flow is finished once it has ended and its last
// segment was sent; open flows are looked at every export. What a flow moved is flow_traffic's (the accounting views,
// schema/migrations/0016_accounting.sql): an ended flow's totals, an open flow's minutes so far. An open segment ends
// at the flow's newest record (FlowStats), or at its start when only its packets were seen.
// Corrections come from import --replace (export_correction): what it took out of segments already sent, negated.
using MonitorNetwork.Collector.Store;
using Dapper;
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Export;

/// <summary>
/// One segment of one flow, or a correction: the flow's identity (FlowId, FlowStartUs), its process and 5-tuple, where
/// the segment starts and ends (UTC microseconds), what the flow moved in it, and whether the flow had ended by then.
/// FlowKey is the store's key (0 for a correction); CorrectionId is export_correction's id for a correction, else 0.
/// </summary>
public sealed record FlowSegment(
    long FlowKey, long CorrectionId, ulong FlowId, long SessionId, long? Pid, string? ProcessPath, long? Direction, long? Protocol,
    string? LocalAddress, long? LocalPort, string? RemoteAddress, long? RemotePort, long? FlowStartUs, long? FlowEndUs,
    long SegmentStartUs, long SegmentEndUs, long PacketsIn, long BytesIn, long PacketsOut, long BytesOut, bool Ended)
{
    /// <summary>A correction row (its counters are negative).</summary>
    public bool IsCorrection => CorrectionId != 0;
}

/// <summary>
/// Reads flow segments in chunks and records them as sent. What was sent is kept for the lake on flow_row itself
/// (<paramref name="destination"/> null), or per IPFIX destination in ipfix_progress: each receives each segment once.
/// </summary>
public sealed class FlowSegments(SqliteConnection connection, string? destination = null)
{
    /// <summary>Where the cursor starts: for a destination, below this every flow is finished.</summary>
    public long StartAfter { get => _cursor; init => _cursor = value; }

    /// <summary>The highest flow key such that every flow at or below it is finished (for a destination's next run).</summary>
    public long DoneBelow { get; private set; }

    private bool _allDoneSoFar = true;

    private sealed record Pending(long FlowKey, FlowCounters Was, long? WasUntil, FlowCounters Now, long Until, bool Ended);

    private readonly List<Pending> _pending = [];
    private readonly List<long> _corrections = [];
    private long _cursor;

    /// <summary>The program path of a flow row f: its own, or the process table's at its time.</summary>
    internal const string PathOfFlow = """
        coalesce((SELECT nullif(i.process_path, '') FROM image i WHERE i.image_id = f.image_id),
                 (SELECT p.image_path FROM process p
                  WHERE p.pid = f.pid AND p.start_ts_us <= coalesce(f.start_ts_us, f.stats_ts_us, f.end_ts_us)
                    AND (p.end_ts_us IS NULL OR p.end_ts_us >= coalesce(f.start_ts_us, f.stats_ts_us, f.end_ts_us))
                  ORDER BY p.start_ts_us DESC LIMIT 1),
                 (SELECT i.process_path FROM image i WHERE i.image_id = f.image_id))
        """;

    /// <summary>
    /// The next segments, at most <paramref name="limit"/> flows read (some read flows have no new segment: open and
    /// quiet); returns how many were read, handing each segment to <paramref name="segment"/>. Corrections come first.
    /// </summary>
    public async Task<int> NextAsync(int limit, Func<FlowSegment, Task> segment)
    {
        var read = 0;
        if (_cursor == 0 && destination is null) // corrections are the lake's: a collector was sent deltas it keeps
        {
            var corrections = connection.Query<(long Id, long? FlowId, long? SessionId, long? Pid, string? Path, long? Direction, long? Protocol,
                string? LocalAddress, long? LocalPort, string? RemoteAddress, long? RemotePort, long? FlowStartUs, long Ts,
                long Pin, long Bin, long Pout, long Bout)>("""
                SELECT correction_id, flow_id, session_id, pid, process_path, direction, protocol, local_address, local_port,
                       remote_address, remote_port, flow_start_us, ts_us, packets_in, bytes_in, packets_out, bytes_out
                FROM export_correction WHERE kind = 'flows' ORDER BY correction_id
                """, buffered: false);
            foreach (var c in corrections)
            {
                _corrections.Add(c.Id);
                await segment(new FlowSegment(0, c.Id, unchecked((ulong)(c.FlowId ?? 0)), c.SessionId ?? 0, c.Pid, c.Path, c.Direction, c.Protocol,
                    c.LocalAddress, c.LocalPort, c.RemoteAddress, c.RemotePort, c.FlowStartUs, null, c.Ts, c.Ts,
                    -c.Pin, -c.Bin, -c.Pout, -c.Bout, false)).ConfigureAwait(false);
            }
        }
        var rows = connection.Query<(long Key, long FlowId, long SessionId, long? Pid, string? Path, long? Direction, long? Protocol, string? LocalAddress,
            long? LocalPort, string? RemoteAddress, long? RemotePort, long? StartUs, long? EndUs, long? StatsUs,
            long Pin, long Bin, long Pout, long Bout, long Epin, long Ebin, long Epout, long Ebout, long? Until)>($"""
            SELECT f.flow_key, f.flow_id, f.session_id, f.pid, {PathOfFlow}, f.direction, f.protocol, f.local_address, f.local_port,
                   f.remote_address, f.remote_port, f.start_ts_us, f.end_ts_us, f.stats_ts_us,
                   t.packets_in, t.bytes_in, t.packets_out, t.bytes_out,
                   {(destination is null
                       ? "f.exported_packets_in, f.exported_bytes_in, f.exported_packets_out, f.exported_bytes_out, f.exported_until_us"
                       : "coalesce(e.exported_packets_in, 0), coalesce(e.exported_bytes_in, 0), coalesce(e.exported_packets_out, 0), coalesce(e.exported_bytes_out, 0), e.exported_until_us")}
            {(destination is null
                ? "FROM flow_row f INDEXED BY flow_export_todo JOIN flow_traffic t ON t.flow_key = f.flow_key WHERE f.export_done = 0 AND f.flow_key > @cursor"
                : "FROM flow_row f JOIN flow_traffic t ON t.flow_key = f.flow_key LEFT JOIN ipfix_progress e ON e.destination = @destination AND e.flow_key = f.flow_key WHERE coalesce(e.done, 0) = 0 AND f.flow_key > @cursor")}
            ORDER BY f.flow_key
            LIMIT {limit}
            """, new { cursor = _cursor, destination }, buffered: false);
        foreach (var r in rows)
        {
            read++;
            _cursor = r.Key;
            var now = new FlowCounters(r.Pin, r.Bin, r.Pout, r.Bout);
            var was = new FlowCounters(r.Epin, r.Ebin, r.Epout, r.Ebout);
            var ended = r.EndUs is not null;
            if (!ended) _allDoneSoFar = false;
            if (_allDoneSoFar) DoneBelow = r.Key;
            if (!ended && now == was && r.Until is not null) continue; // open and quiet since its last segment
            var start = r.Until ?? r.StartUs ?? r.StatsUs ?? r.EndUs ?? 0;
            var end = Math.Max(start, r.EndUs ?? r.StatsUs ?? r.StartUs ?? start);
            _pending.Add(new Pending(r.Key, was, r.Until, now, end, ended));
            await segment(new FlowSegment(r.Key, 0, unchecked((ulong)r.FlowId), r.SessionId, r.Pid, r.Path, r.Direction, r.Protocol,
                r.LocalAddress, r.LocalPort, r.RemoteAddress, r.RemotePort, r.StartUs, r.EndUs, start, end,
                now.PacketsIn - was.PacketsIn, now.BytesIn - was.BytesIn, now.PacketsOut - was.PacketsOut, now.BytesOut - was.BytesOut, ended)).ConfigureAwait(false);
        }
        return read + _corrections.Count;
    }

    /// <summary>
    /// Records the segments handed out since the last commit as sent, in <paramref name="tx"/>: each flow's row moves
    /// from what was read to what was sent only if nobody moved it meanwhile, else the whole transaction fails.
    /// </summary>
    public void Commit(SqliteTransaction tx)
    {
        if (destination is not null)
        {
            CommitDestination(tx);
            return;
        }
        foreach (var p in _pending)
        {
            var changed = connection.Execute("""
                UPDATE flow_row SET exported_packets_in = @npi, exported_bytes_in = @nbi, exported_packets_out = @npo, exported_bytes_out = @nbo,
                       exported_until_us = @until, export_done = @done
                WHERE flow_key = @key AND exported_packets_in = @wpi AND exported_bytes_in = @wbi AND exported_packets_out = @wpo
                  AND exported_bytes_out = @wbo AND exported_until_us IS @wasUntil
                """, new
            {
                npi = p.Now.PacketsIn, nbi = p.Now.BytesIn, npo = p.Now.PacketsOut, nbo = p.Now.BytesOut, until = p.Until, done = p.Ended ? 1 : 0,
                key = p.FlowKey, wpi = p.Was.PacketsIn, wbi = p.Was.BytesIn, wpo = p.Was.PacketsOut, wbo = p.Was.BytesOut, wasUntil = p.WasUntil,
            }, tx);
            if (changed != 1) throw new InvalidOperationException($"flow {p.FlowKey} was exported by someone else meanwhile");
        }
        foreach (var id in _corrections) connection.Execute("DELETE FROM export_correction WHERE correction_id = @id", new { id }, tx);
        Forget();
    }

    private void CommitDestination(SqliteTransaction tx)
    {
        foreach (var p in _pending)
        {
            var changed = connection.Execute("""
                INSERT INTO ipfix_progress(destination, flow_key, exported_packets_in, exported_bytes_in, exported_packets_out, exported_bytes_out, exported_until_us, done)
                SELECT @destination, @key, @npi, @nbi, @npo, @nbo, @until, @done
                WHERE coalesce((SELECT exported_until_us FROM ipfix_progress WHERE destination = @destination AND flow_key = @key), -1) = coalesce(@wasUntil, -1)
                ON CONFLICT(destination, flow_key) DO UPDATE SET exported_packets_in = excluded.exported_packets_in, exported_bytes_in = excluded.exported_bytes_in,
                    exported_packets_out = excluded.exported_packets_out, exported_bytes_out = excluded.exported_bytes_out,
                    exported_until_us = excluded.exported_until_us, done = excluded.done
                """, new
            {
                destination, key = p.FlowKey, npi = p.Now.PacketsIn, nbi = p.Now.BytesIn, npo = p.Now.PacketsOut, nbo = p.Now.BytesOut,
                until = p.Until, done = p.Ended ? 1 : 0, wasUntil = p.WasUntil,
            }, tx);
            if (changed != 1) throw new InvalidOperationException($"flow {p.FlowKey} was sent to {destination} by someone else meanwhile");
        }
        Forget();
    }

    /// <summary>The segments handed out since the last commit (an IPFIX batch), for a caller that sends them first.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Forgets what was handed out since the last commit (a failed run exports it again).</summary>
    public void Forget()
    {
        _pending.Clear();
        _corrections.Clear();
    }
}
