// flow: one row per flow, from FlowEstablished, FlowStats and FlowDeleted. Flow records also feed the minute
// rollup: each record's increase over the flow's previous record (or FlowEstablished) happened within the active
// interval of that previous record (schema/events.json, FlowStats), so it is added to that record's minute in
// flow_minute (FlowMinuteRollup). A flow whose Packet events are stored (packets_seen) takes its rollup from
// them instead, so a byte is counted once; a packet stored just before its FlowEstablished (events with the same
// timestamp, in either order) counts too, through the flow's open stream. The flow row holds the newest counters, so every record finds its
// predecessor there, in this run or after a restart.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Writes flows and their records' per-minute increases.</summary>
internal sealed class FlowWriter : IBatchTableWriter
{
    private readonly long _sessionId;
    private readonly RemoteTable _remotes;
    private readonly ImageTable _images;
    private readonly DnsAnswerWriter _dns;
    private readonly PacketStreamWriter _streams;
    private readonly FlowMinuteRollup _minutes;
    private readonly InputSanity _sanity;
    private readonly SqliteCommand _insertEstablished, _insertSeen, _findOpen, _updateStats, _endFlow, _insertEnded, _markPacketsSeen, _hasPackets;

    /// <summary>
    /// Whether packets of flow $flow are stored already, for a flow row about to be written: its open stream (a packet
    /// can precede the flow's first event). Streams of an earlier flow with the same id are marked ended.
    /// </summary>
    private const string PacketsStored = "EXISTS (SELECT 1 FROM packet_stream s WHERE s.flow_id = $flow AND s.flow_ended = 0)";

    /// <summary>An open flow as its row has it: the previous record's counters and time, and who it belongs to.</summary>
    private sealed record OpenFlow(long FlowKey, long PreviousUs, FlowCounters Previous, bool PacketsSeen, long? Pid = null, long? Protocol = null, long? LocalPort = null, long? RemotePort = null, string? RemoteAddress = null);

    public FlowWriter(SqliteConnection connection, long sessionId, RemoteTable remotes, ImageTable images, DnsAnswerWriter dns, PacketStreamWriter streams, InputSanity sanity, ProgramUsageRollup usage)
    {
        _sanity = sanity;
        _sessionId = sessionId;
        _remotes = remotes;
        _images = images;
        _dns = dns;
        _streams = streams;
        _minutes = new FlowMinuteRollup(connection, usage);
        _insertEstablished = SqlCommands.Prepare(connection, $"""
            INSERT INTO flow_row(flow_id, session_id, pid, image_id, direction, protocol, local_address, local_port, remote_address, remote_port, remote_id, start_ts_us, remote_host, packets_seen)
            VALUES ($flow, $session, $pid, $image, $dir, $proto, $la, $lp, $ra, $rp, $rid, $ts, $host, {PacketsStored})
            """, "$flow", "$session", "$pid", "$image", "$dir", "$proto", "$la", "$lp", "$ra", "$rp", "$rid", "$ts", "$host");
        // A flow first named by a record: it began before collection (start_seen = 0).
        _insertSeen = SqlCommands.Prepare(connection, $"""
            INSERT INTO flow_row(flow_id, session_id, pid, direction, protocol, local_address, local_port, remote_address, remote_port, remote_id, start_ts_us, start_seen, remote_host, packets_seen)
            VALUES ($flow, $session, $pid, $dir, $proto, $la, $lp, $ra, $rp, $rid, $ts, 0, $host, {PacketsStored})
            RETURNING flow_key, packets_seen
            """, "$flow", "$session", "$pid", "$dir", "$proto", "$la", "$lp", "$ra", "$rp", "$rid", "$ts", "$host");
        _findOpen = SqlCommands.Prepare(connection, """
            SELECT flow_key, coalesce(stats_ts_us, start_ts_us), coalesce(stats_packets_in, 0), coalesce(stats_bytes_in, 0),
                   coalesce(stats_packets_out, 0), coalesce(stats_bytes_out, 0), packets_seen,
                   pid, protocol, local_port, remote_port, remote_address
            FROM flow_row WHERE flow_id = $flow AND end_ts_us IS NULL
            ORDER BY flow_key DESC LIMIT 1
            """, "$flow");
        _updateStats = SqlCommands.Prepare(connection, """
            UPDATE flow_row SET stats_ts_us = $ts, stats_packets_in = $pin, stats_bytes_in = $bin, stats_packets_out = $pout, stats_bytes_out = $bout
            WHERE flow_key = $key
            """, "$ts", "$pin", "$bin", "$pout", "$bout", "$key");
        // The newest counters are the totals now (and needed no longer: migration 0009).
        _endFlow = SqlCommands.Prepare(connection, """
            UPDATE flow_row SET end_ts_us = $ts, packets_in = $pin, bytes_in = $bin, packets_out = $pout, bytes_out = $bout,
                   stats_ts_us = NULL, stats_packets_in = NULL, stats_bytes_in = NULL, stats_packets_out = NULL, stats_bytes_out = NULL,
                   ended_seq = (SELECT coalesce(max(ended_seq), 0) + 1 FROM flow_row)
            WHERE flow_key = $key
            """, "$ts", "$pin", "$bin", "$pout", "$bout", "$key");
        // A flow named only by its FlowDeleted: its totals are worth keeping; version 1 gave no identity (NULLs).
        _insertEnded = SqlCommands.Prepare(connection, """
            INSERT INTO flow_row(flow_id, session_id, pid, direction, protocol, local_address, local_port, remote_address, remote_port, remote_id,
                                 end_ts_us, packets_in, bytes_in, packets_out, bytes_out, ended_seq, start_seen, remote_host)
            VALUES ($flow, $session, $pid, $dir, $proto, $la, $lp, $ra, $rp, $rid, $ts, $pin, $bin, $pout, $bout,
                    (SELECT coalesce(max(ended_seq), 0) + 1 FROM flow_row), 0, $host)
            RETURNING flow_key
            """, "$flow", "$session", "$pid", "$dir", "$proto", "$la", "$lp", "$ra", "$rp", "$rid", "$ts", "$pin", "$bin", "$pout", "$bout", "$host");
        _hasPackets = SqlCommands.Prepare(connection, "SELECT " + PacketsStored, "$flow");
        _markPacketsSeen = SqlCommands.Prepare(connection,
            "UPDATE flow_row SET packets_seen = 1 WHERE flow_id = $flow AND end_ts_us IS NULL AND packets_seen = 0", "$flow");
    }

    public void WriteEstablished(FlowEstablishedEvent f)
    {
        var remoteId = _remotes.Seen(f.RemoteAddress, f.TimestampUs, f.ProcessId);
        SqlCommands.Run(_insertEstablished, unchecked((long)f.FlowId), _sessionId, f.ProcessId, _images.IdOf(f.ProcessPath, f.RawProcessPath), (byte)f.Direction,
            f.Protocol, f.LocalAddress.ToString(), f.LocalPort, f.RemoteAddress.ToString(), f.RemotePort, remoteId, f.TimestampUs,
            _dns.HostNameOf(remoteId, f.TimestampUs, f.ProcessId));
    }

    public void WriteStats(FlowStatsEvent s)
    {
        var counters = Counters(s.PacketsIn, s.BytesIn, s.PacketsOut, s.BytesOut);
        var open = Matching(FindOpen(s.FlowId), s.Identity, s.TimestampUs) ?? InsertSeen(s.FlowId, s.Identity, s.TimestampUs);
        AddIncrease(open, counters, s.TimestampUs);
        SqlCommands.Run(_updateStats, s.TimestampUs, counters.PacketsIn, counters.BytesIn, counters.PacketsOut, counters.BytesOut, open.FlowKey);
    }

    public void WriteDeleted(FlowDeletedEvent d)
    {
        var totals = Counters(d.PacketsIn, d.BytesIn, d.PacketsOut, d.BytesOut);
        if (d.CountersRefused) _sanity.Note(InputSanity.Rules.CounterOverflow, d.TimestampUs);
        if (Matching(FindOpen(d.FlowId), d.Identity, d.TimestampUs) is { } open)
        {
            // Refused counters end the flow with what its last record said: no increase, and never a wrapped number.
            if (d.CountersRefused) totals = open.Previous;
            AddIncrease(open, totals, d.TimestampUs);
            SqlCommands.Run(_endFlow, d.TimestampUs, totals.PacketsIn, totals.BytesIn, totals.PacketsOut, totals.BytesOut, open.FlowKey);
        }
        else
        {
            InsertEnded(d, totals);
        }
        _streams.MarkFlowEnded(d.FlowId);
    }

    /// <summary>A Packet of the flow opened a stream: from now on its rollup comes from packets.</summary>
    public void PacketsSeen(ulong flowId)
    {
        if (flowId != 0) SqlCommands.Run(_markPacketsSeen, unchecked((long)flowId));
    }

    private void AddIncrease(OpenFlow open, FlowCounters now, long timestampUs)
    {
        if (now.WentBackFrom(open.Previous)) _sanity.Note(InputSanity.Rules.CounterWentBack, timestampUs);
        if (open.PacketsSeen || !_streams.MaintainRollups) return;
        _minutes.Add(open.FlowKey, SqliteEventWriter.MinuteOf(open.PreviousUs), now.IncreaseSince(open.Previous));
    }

    /// <summary>
    /// The open flow of a record's FlowId, if it is the same flow: a record whose identity (process, protocol, ports,
    /// remote) differs is a new flow that reuses the id (WFP reuses flow handles; a driver reload restarts them), and
    /// must not be counted to the earlier flow's process.
    /// </summary>
    private OpenFlow? Matching(OpenFlow? open, FlowIdentity? identity, long timestampUs)
    {
        // A record without an identity (version 1, or all zeros) says nothing about whose flow it is.
        if (open is null || identity is not { } f || open.Pid is null || (f.ProcessId == 0 && f.LocalPort == 0 && f.RemotePort == 0)) return open;
        var same = open.Pid == f.ProcessId && open.Protocol == f.Protocol && open.LocalPort == f.LocalPort && open.RemotePort == f.RemotePort
            && string.Equals(open.RemoteAddress, f.RemoteAddress.ToString(), StringComparison.Ordinal);
        if (same) return open;
        _sanity.Note(InputSanity.Rules.FlowIdReused, timestampUs);
        return null;
    }

    private OpenFlow? FindOpen(ulong flowId)
    {
        SqlCommands.SetAll(_findOpen, unchecked((long)flowId));
        using var r = _findOpen.ExecuteReader();
        if (!r.Read()) return null;
        long? Int(int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
        return new OpenFlow(r.GetInt64(0), r.GetInt64(1), new FlowCounters(r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)), r.GetInt64(6) != 0,
            Int(7), Int(8), Int(9), Int(10), r.IsDBNull(11) ? null : r.GetString(11));
    }

    /// <summary>Inserts a flow that began before collection; its whole count so far lands in this record's minute.</summary>
    private OpenFlow InsertSeen(ulong flowId, FlowIdentity f, long timestampUs)
    {
        var remoteId = _remotes.Seen(f.RemoteAddress, timestampUs, f.ProcessId);
        SqlCommands.SetAll(_insertSeen, unchecked((long)flowId), _sessionId, f.ProcessId, (byte)f.Direction, f.Protocol,
            f.LocalAddress.ToString(), f.LocalPort, f.RemoteAddress.ToString(), f.RemotePort, remoteId, timestampUs,
            _dns.HostNameOf(remoteId, timestampUs, f.ProcessId));
        using var r = _insertSeen.ExecuteReader();
        r.Read();
        return new OpenFlow(r.GetInt64(0), timestampUs, default, r.GetInt64(1) != 0);
    }

    private void InsertEnded(FlowDeletedEvent d, FlowCounters totals)
    {
        object pid = DBNull.Value, dir = DBNull.Value, proto = DBNull.Value, la = DBNull.Value, lp = DBNull.Value,
            ra = DBNull.Value, rp = DBNull.Value, rid = DBNull.Value, host = DBNull.Value;
        if (d.Identity is { } f)
        {
            var remoteId = _remotes.Seen(f.RemoteAddress, d.TimestampUs, f.ProcessId);
            (pid, dir, proto, la, lp, ra, rp, rid) = (f.ProcessId, (byte)f.Direction, f.Protocol, f.LocalAddress.ToString(), f.LocalPort,
                f.RemoteAddress.ToString(), f.RemotePort, remoteId);
            host = _dns.HostNameOf(remoteId, d.TimestampUs, f.ProcessId);
        }
        SqlCommands.SetAll(_insertEnded, unchecked((long)d.FlowId), _sessionId, pid, dir, proto, la, lp, ra, rp, rid, d.TimestampUs,
            totals.PacketsIn, totals.BytesIn, totals.PacketsOut, totals.BytesOut, host);
        var flowKey = (long)_insertEnded.ExecuteScalar()!;
        if (d.Identity is not null)
        {
            // Its whole count lands in this record's minute, unless its packets are stored.
            SqlCommands.SetAll(_hasPackets, unchecked((long)d.FlowId));
            var packetsSeen = Convert.ToInt64(_hasPackets.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
            AddIncrease(new OpenFlow(flowKey, d.TimestampUs, default, packetsSeen), totals, d.TimestampUs);
        }
    }

    /// <summary>The decoder bounds every counter by long.MaxValue.</summary>
    private static FlowCounters Counters(ulong packetsIn, ulong bytesIn, ulong packetsOut, ulong bytesOut) =>
        new((long)packetsIn, (long)bytesIn, (long)packetsOut, (long)bytesOut);

    public void Begin(SqliteTransaction tx)
    {
        SqlCommands.Join(tx, _insertEstablished, _insertSeen, _findOpen, _updateStats, _endFlow, _insertEnded, _markPacketsSeen, _hasPackets);
        _minutes.Begin(tx);
    }

    public void Flush() => _minutes.Flush();
    public void RolledBack() { }
    public void Ended() => _minutes.Clear();

    public void Dispose()
    {
        foreach (var c in new[] { _insertEstablished, _insertSeen, _findOpen, _updateStats, _endFlow, _insertEnded, _markPacketsSeen, _hasPackets }) c.Dispose();
        _minutes.Dispose();
    }
}
