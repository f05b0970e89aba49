// packet_stream, packet and packet_minute. Packets are stored as (time, stream, direction, bytes); the stream row
// holds the rest once. packet_minute is pre-aggregated in memory per batch, so it costs one upsert per (stream,
// minute), not one per packet. Flow records have their own rollup (FlowMinuteRollup).
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Writes packets and the minute rollup. Use from one thread.</summary>
internal sealed class PacketStreamWriter : IBatchTableWriter
{
    /// <summary>
    /// Past this many cached streams the idle ones are forgotten (the UNIQUE upsert finds them again). Flows are
    /// short, so a small cache holds the active ones; a 1M bound cost ~100 MiB in the soak, and 64k still held
    /// ~15 MiB that a collector under its 64 MiB heap limit (Hosting/HeapLimit.cs) needs more.
    /// </summary>
    private const int MaxCachedStreams = 16_384;

    private readonly RemoteTable _remotes;
    private readonly Dictionary<StreamKey, StreamState> _streams = new();
    private readonly List<StreamState> _dirty = new();
    private readonly List<StreamKey> _addedThisBatch = new();
    private readonly List<(long StreamId, long Minute, MinuteTotals Totals)> _closedMinutes = new();
    private readonly SqliteCommand _upsertStream, _markEnded;
    private readonly RawStatement _upsertMinute;
    private readonly RawPacketInserter _packets;

    /// <summary>A cached stream: its id and the minute it is accumulating in this batch (one lookup per packet).</summary>
    private sealed class StreamState(long id)
    {
        public readonly long Id = id;
        public long Minute = long.MinValue;
        public MinuteTotals Totals;
        public bool Dirty;
    }

    private readonly ProgramUsageRollup _usage;

    public PacketStreamWriter(SqliteConnection connection, long sessionId, RemoteTable remotes, ProgramUsageRollup usage)
    {
        _remotes = remotes;
        _usage = usage;
        _packets = new RawPacketInserter(connection, sessionId);
        _upsertStream = SqlCommands.Prepare(connection, """
            INSERT INTO packet_stream(flow_id, pid, protocol, local_address, local_port, remote_address, remote_port, remote_id, flow_ended)
            VALUES ($flow, $pid, $proto, $la, $lp, $ra, $rp, $rid,
                    EXISTS (SELECT 1 FROM flow f WHERE f.flow_id = $flow AND f.end_ts_us IS NOT NULL))
            ON CONFLICT DO UPDATE SET pid = excluded.pid
            RETURNING stream_id
            """, "$flow", "$pid", "$proto", "$la", "$lp", "$ra", "$rp", "$rid");
        _markEnded = SqlCommands.Prepare(connection, "UPDATE packet_stream SET flow_ended = 1 WHERE flow_id = $flow AND flow_ended = 0", "$flow");
        _upsertMinute = new RawStatement(connection, $"""
            INSERT INTO packet_minute(stream_id, minute, packets_in, bytes_in, packets_out, bytes_out)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT(stream_id, minute) DO UPDATE SET
                {MinuteTotals.AddExcluded}
            """);
    }

    /// <summary>False only in the benchmark's baseline run (see SqliteEventWriter.MaintainRollups).</summary>
    public bool MaintainRollups { get; set; } = true;

    /// <summary>Stores one packet. True when its stream was not cached (first packet of a stream, or after a forget).</summary>
    public bool Write(PacketEvent p)
    {
        var key = StreamKey.Of(p);
        var opened = !_streams.TryGetValue(key, out var state);
        if (opened) state = Open(key, p.TimestampUs);
        _packets.Add(p.TimestampUs, state!.Id, (byte)p.Direction, p.Bytes);
        if (!MaintainRollups) return opened;
        var minute = SqliteEventWriter.MinuteOf(p.TimestampUs);
        if (!state.Dirty)
        {
            state.Dirty = true;
            state.Minute = minute;
            _dirty.Add(state);
        }
        else if (state.Minute != minute)
        {
            CloseMinute(state);
            state.Minute = minute;
        }
        if (p.Direction == FlowDirection.Inbound)
        {
            state.Totals.PacketsIn++;
            state.Totals.BytesIn += p.Bytes;
        }
        else
        {
            state.Totals.PacketsOut++;
            state.Totals.BytesOut += p.Bytes;
        }
        return opened;
    }

    /// <summary>The flow ended: its streams are counted from the flow's totals from now on.</summary>
    public void MarkFlowEnded(ulong flowId) => SqlCommands.Run(_markEnded, unchecked((long)flowId));

    /// <summary>The pruner deleted streams: cached ids may name them.</summary>
    public void Forget() => _streams.Clear();

    private StreamState Open(StreamKey key, long timestampUs)
    {
        if (_streams.Count >= MaxCachedStreams) ForgetCleanStreams();
        var remoteId = _remotes.Seen(key.RemoteAddress, timestampUs, key.ProcessId);
        SqlCommands.SetAll(_upsertStream, unchecked((long)key.FlowId), key.ProcessId, key.Protocol, key.LocalAddress.ToString(), key.LocalPort,
            key.RemoteAddress.ToString(), key.RemotePort, remoteId);
        var state = new StreamState((long)_upsertStream.ExecuteScalar()!);
        _streams[key] = state;
        _addedThisBatch.Add(key);
        return state;
    }

    /// <summary>Moves a stream's totals for its current minute to the list upserted at commit.</summary>
    private void CloseMinute(StreamState state)
    {
        if (state.Totals.PacketsIn + state.Totals.PacketsOut > 0) _closedMinutes.Add((state.Id, state.Minute, state.Totals));
        state.Totals = default;
    }

    /// <summary>Bounds the cache; streams with totals pending in this batch stay.</summary>
    private void ForgetCleanStreams()
    {
        foreach (var (key, _) in _streams.Where(s => !s.Value.Dirty).ToList()) _streams.Remove(key);
    }

    public void Begin(SqliteTransaction tx)
    {
        _addedThisBatch.Clear();
        SqlCommands.Join(tx, _upsertStream, _markEnded);
    }

    public void Flush()
    {
        _packets.Flush();
        foreach (var state in _dirty) CloseMinute(state);
        foreach (var (streamId, minute, t) in _closedMinutes)
        {
            _upsertMinute.Bind(1, streamId).Bind(2, minute).Bind(3, t.PacketsIn).Bind(4, t.BytesIn).Bind(5, t.PacketsOut).Bind(6, t.BytesOut).Execute();
            _usage.AddStream(streamId, minute, t);
        }
    }

    public void RolledBack()
    {
        // The rollback undid the streams this batch inserted; forget their ids too.
        foreach (var key in _addedThisBatch) _streams.Remove(key);
        _packets.Discard();
        foreach (var state in _dirty) state.Totals = default;
    }

    public void Ended()
    {
        foreach (var state in _dirty) state.Dirty = false;
        _dirty.Clear();
        _closedMinutes.Clear();
    }

    public void Dispose()
    {
        _upsertStream.Dispose();
        _markEnded.Dispose();
        _packets.Dispose();
        _upsertMinute.Dispose();
    }
}
