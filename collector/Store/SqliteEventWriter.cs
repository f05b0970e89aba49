// Writes batches of decoded events into SQLite with prepared commands reused across batches.
// Packets are stored as (time, stream, direction, bytes); the stream row holds the rest once.
// Remote addresses are interned (the remote table, with each one's first sighting). The rollups are updated in the same transaction; packet_minute is
// pre-aggregated in memory per batch so it costs one upsert per (stream, minute), not one per packet.
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Store;

/// <summary>The store's <see cref="IEventBatchWriter"/>. Owns no connection; use from one thread.</summary>
public sealed class SqliteEventWriter : IEventBatchWriter, IDisposable
{
    /// <summary>
    /// Past this many cached streams the idle ones are forgotten (the UNIQUE upsert finds them again). Flows are
    /// short, so a small cache holds the active ones; the soak run showed a 1M bound costing ~100 MiB.
    /// </summary>
    private const int MaxCachedStreams = 65_536;

    private readonly SqliteConnection _connection;
    private readonly long _sessionId;
    private readonly Dictionary<StreamKey, StreamState> _streams = new();
    private readonly List<StreamState> _dirtyStreams = new();
    private readonly List<StreamKey> _streamsAddedThisBatch = new();
    /// <summary>Remote ids, and a first sighting already stored no later than the time here: later sightings skip the upsert.</summary>
    private readonly Dictionary<NetAddress, (long Id, long FirstUs)> _remotesSeen = new();
    private readonly List<NetAddress> _remotesAddedThisBatch = new();
    private readonly List<(long StreamId, long Minute, MinuteTotals Totals)> _closedMinutes = new();
    private readonly SqliteCommand _insertDnsAnswer, _findHostName;
    private readonly SqliteCommand _upsertStream, _insertFlow, _endFlow, _insertEndedFlow, _insertHealth, _updateSession,
        _markStreamsEnded, _upsertProcess;
    private readonly RawStatement _upsertMinute, _upsertRemote, _internResolved;
    private readonly SqliteCommand[] _all;
    private readonly RawPacketInserter _packets;

    private struct MinuteTotals
    {
        public long PacketsIn, BytesIn, PacketsOut, BytesOut;
    }

    /// <summary>A cached stream: its id and the minute it is accumulating in this batch (one lookup per packet).</summary>
    private sealed class StreamState(long id)
    {
        public readonly long Id = id;
        public long Minute = long.MinValue;
        public MinuteTotals Totals;
        public bool Dirty;
    }

    /// <summary>Prepares the statements on <paramref name="connection"/> for session <paramref name="sessionId"/>.</summary>
    public SqliteEventWriter(SqliteConnection connection, long sessionId)
    {
        _connection = connection;
        _sessionId = sessionId;
        _packets = new RawPacketInserter(connection, sessionId);
        _upsertStream = Prepare("""
            INSERT INTO packet_stream(flow_id, pid, protocol, local_address, local_port, remote_address, remote_port, remote_id, flow_ended)
            VALUES ($flow, $pid, $proto, $la, $lp, $ra, $rp, $rid,
                    EXISTS (SELECT 1 FROM flow f WHERE f.flow_id = $flow AND f.end_ts_us IS NOT NULL))
            ON CONFLICT DO UPDATE SET pid = excluded.pid
            RETURNING stream_id
            """, "$flow", "$pid", "$proto", "$la", "$lp", "$ra", "$rp", "$rid");
        _insertFlow = Prepare("""
            INSERT INTO flow(flow_id, session_id, pid, process_path, direction, protocol, local_address, local_port, remote_address, remote_port, remote_id, start_ts_us, process_path_raw, remote_host)
            VALUES ($flow, $session, $pid, $path, $dir, $proto, $la, $lp, $ra, $rp, $rid, $ts, $raw, $host)
            """, "$flow", "$session", "$pid", "$path", "$dir", "$proto", "$la", "$lp", "$ra", "$rp", "$rid", "$ts", "$raw", "$host");
        _endFlow = Prepare("""
            UPDATE flow SET end_ts_us = $ts, packets_in = $pin, bytes_in = $bin, packets_out = $pout, bytes_out = $bout,
                   ended_seq = (SELECT coalesce(max(ended_seq), 0) + 1 FROM flow)
            WHERE flow_key = (SELECT max(flow_key) FROM flow WHERE flow_id = $flow AND end_ts_us IS NULL)
            """, "$ts", "$pin", "$bin", "$pout", "$bout", "$flow");
        _insertEndedFlow = Prepare("""
            INSERT INTO flow(flow_id, session_id, end_ts_us, packets_in, bytes_in, packets_out, bytes_out, ended_seq)
            VALUES ($flow, $session, $ts, $pin, $bin, $pout, $bout, (SELECT coalesce(max(ended_seq), 0) + 1 FROM flow))
            """, "$flow", "$session", "$ts", "$pin", "$bin", "$pout", "$bout");
        _insertHealth = Prepare("INSERT INTO health_event(ts_us, session_id, event_name, fields_json) VALUES ($ts, $session, $name, $json)",
            "$ts", "$session", "$name", "$json");
        _updateSession = Prepare("""
            UPDATE collector_session SET events_received = $rcv, events_written = $wr, events_dropped = $drop,
                   events_lost = $lost, events_malformed = $bad, events_unknown = $unk
            WHERE session_id = $session
            """, "$rcv", "$wr", "$drop", "$lost", "$bad", "$unk", "$session");
        _upsertProcess = Prepare("""
            INSERT INTO process(pid, start_ts_us, end_ts_us, image_path, command_line, image_path_raw) VALUES ($pid, $start, $end, $image, $cmd, $raw)
            ON CONFLICT(pid, start_ts_us) DO UPDATE SET
                end_ts_us = coalesce(excluded.end_ts_us, end_ts_us),
                image_path = coalesce(excluded.image_path, image_path),
                command_line = coalesce(excluded.command_line, command_line),
                image_path_raw = coalesce(excluded.image_path_raw, image_path_raw)
            """, "$pid", "$start", "$end", "$image", "$cmd", "$raw");
        _markStreamsEnded = Prepare("UPDATE packet_stream SET flow_ended = 1 WHERE flow_id = $flow AND flow_ended = 0", "$flow");
        _upsertMinute = new RawStatement(connection, """
            INSERT INTO packet_minute(stream_id, minute, packets_in, bytes_in, packets_out, bytes_out)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT(stream_id, minute) DO UPDATE SET
                packets_in = packets_in + excluded.packets_in, bytes_in = bytes_in + excluded.bytes_in,
                packets_out = packets_out + excluded.packets_out, bytes_out = bytes_out + excluded.bytes_out
            """);
        // Unconditional DO UPDATE (the CASE keeps the earlier sighting) so RETURNING always yields the id.
        // An address a DNS answer gave: interned without claiming it was seen (ResolvedOnlyFirstUs).
        _internResolved = new RawStatement(connection, """
            INSERT INTO remote(remote_address, first_ts_us, first_pid) VALUES (?1, ?2, NULL)
            ON CONFLICT(remote_address) DO UPDATE SET first_ts_us = first_ts_us
            RETURNING remote_id
            """);
        _upsertRemote = new RawStatement(connection, """
            INSERT INTO remote(remote_address, first_ts_us, first_pid) VALUES (?1, ?2, ?3)
            ON CONFLICT(remote_address) DO UPDATE SET
                first_pid = CASE WHEN excluded.first_ts_us < first_ts_us THEN excluded.first_pid ELSE first_pid END,
                first_ts_us = min(first_ts_us, excluded.first_ts_us)
            RETURNING remote_id
            """);
        _insertDnsAnswer = Prepare("""
            INSERT INTO dns_answer(ts_us, session_id, pid, query_name, cname_chain, query_type, remote_id)
            VALUES ($ts, $session, $pid, $name, $cnames, $type, $rid)
            """, "$ts", "$session", "$pid", "$name", "$cnames", "$type", "$rid");
        // The same process's answer first, else anyone's; the newest within the window before the flow began.
        _findHostName = Prepare("""
            SELECT query_name FROM dns_answer
            WHERE remote_id = $rid AND ts_us <= $ts AND ts_us >= $ts - $window
            ORDER BY pid = $pid DESC, ts_us DESC LIMIT 1
            """, "$rid", "$ts", "$window", "$pid");
        _all = [_upsertStream, _insertFlow, _endFlow, _insertEndedFlow, _insertHealth, _updateSession, _markStreamsEnded, _upsertProcess, _insertDnsAnswer, _findHostName];
    }

    /// <summary>
    /// first_ts_us of a remote known only from a DNS answer: it has not been contacted, so it is not "seen" (new-remotes
    /// ignores it), and its first flow or packet sets the real time (min).
    /// </summary>
    public const long ResolvedOnlyFirstUs = long.MaxValue;

    /// <summary>A flow's remote takes the name resolved to its address at most this long before the flow began.</summary>
    public TimeSpan DnsWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// False only in the benchmark's baseline run, to measure what rollup maintenance costs ingest; the store's
    /// queries are wrong without it.
    /// </summary>
    internal bool MaintainRollups { get; init; } = true;

    /// <summary>Keeps the store within retention and size limits between batches; null for imports.</summary>
    public StorePruner? Pruner { get; init; }

    /// <summary>Minutes since the Unix epoch of a UTC microsecond time, truncated like SQLite's integer division.</summary>
    public static long MinuteOf(long timestampUs) => timestampUs / 60_000_000L;

    /// <inheritdoc/>
    public void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters)
    {
        Commit(batch, counters);
        try
        {
            if (Pruner is { } pruner)
            {
                var streamsBefore = pruner.StreamsDeleted;
                var remotesBefore = pruner.RemotesDeleted;
                pruner.MaybeRun();
                if (pruner.StreamsDeleted != streamsBefore) _streams.Clear(); // cached ids may name deleted streams
                if (pruner.RemotesDeleted != remotesBefore) _remotesSeen.Clear(); // or deleted remotes
            }
        }
        catch (SqliteException)
        {
            // The batch is committed; pruning that meets a lock or an error simply runs again next interval.
        }
    }

    private void Commit(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters)
    {
        _streamsAddedThisBatch.Clear();
        _remotesAddedThisBatch.Clear();
        using var tx = _connection.BeginTransaction();
        try
        {
            Bind(tx);
            foreach (var evt in batch)
            {
                switch (evt)
                {
                    case PacketEvent p: WritePacket(p); break;
                    case FlowEstablishedEvent f: WriteFlowEstablished(f); break;
                    case FlowDeletedEvent d: WriteFlowDeleted(d); break;
                    case HealthEvent h: WriteHealth(h); break;
                    case ProcessStartedEvent s: Run(_upsertProcess, s.ProcessId, s.StartTimeUs, DBNull.Value, (object?)s.ImagePath ?? DBNull.Value, (object?)s.CommandLine ?? DBNull.Value, (object?)s.RawImagePath ?? DBNull.Value); break;
                    case DnsAnswerEvent d: WriteDnsAnswer(d); break;
                    case ProcessEndedEvent e: Run(_upsertProcess, e.ProcessId, e.StartTimeUs, e.TimestampUs, (object?)e.ImagePath ?? DBNull.Value, DBNull.Value, (object?)e.RawImagePath ?? DBNull.Value); break;
                }
            }
            _packets.Flush();
            foreach (var state in _dirtyStreams) CloseMinute(state);
            foreach (var (streamId, minute, t) in _closedMinutes)
                _upsertMinute.Bind(1, streamId).Bind(2, minute).Bind(3, t.PacketsIn).Bind(4, t.BytesIn).Bind(5, t.PacketsOut).Bind(6, t.BytesOut).Execute();
            Run(_updateSession, counters.Received, counters.Written, counters.Dropped, counters.Lost, counters.Malformed, counters.Unknown, _sessionId);
            tx.Commit();
        }
        catch
        {
            // The rollback undid the streams this batch inserted; forget their ids too.
            foreach (var key in _streamsAddedThisBatch) _streams.Remove(key);
            _packets.Discard();
            foreach (var state in _dirtyStreams) state.Totals = default;
            foreach (var remote in _remotesAddedThisBatch) _remotesSeen.Remove(remote);
            throw;
        }
        finally
        {
            foreach (var state in _dirtyStreams) state.Dirty = false;
            _dirtyStreams.Clear();
            _closedMinutes.Clear();
        }
    }

    private void WritePacket(PacketEvent p)
    {
        var key = StreamKey.Of(p);
        if (!_streams.TryGetValue(key, out var state))
        {
            if (_streams.Count >= MaxCachedStreams) ForgetCleanStreams();
            var remoteId = RemoteId(p.RemoteAddress, p.TimestampUs, p.ProcessId);
            SetAll(_upsertStream, unchecked((long)p.FlowId), p.ProcessId, p.Protocol, p.LocalAddress.ToString(), p.LocalPort,
                p.RemoteAddress.ToString(), p.RemotePort, remoteId);
            state = new StreamState((long)_upsertStream.ExecuteScalar()!);
            _streams[key] = state;
            _streamsAddedThisBatch.Add(key);
        }
        _packets.Add(p.TimestampUs, state.Id, (byte)p.Direction, p.Bytes);
        if (!MaintainRollups) return;
        var minute = MinuteOf(p.TimestampUs);
        if (!state.Dirty)
        {
            state.Dirty = true;
            state.Minute = minute;
            _dirtyStreams.Add(state);
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
    }

    /// <summary>The remote's id, recording this sighting unless an earlier one is already known to be stored.</summary>
    private long RemoteId(NetAddress remote, long timestampUs, uint processId)
    {
        if (_remotesSeen.TryGetValue(remote, out var known) && known.FirstUs <= timestampUs) return known.Id;
        if (_remotesSeen.Count >= MaxCachedStreams) _remotesSeen.Clear();
        var id = _upsertRemote.Bind(1, remote.ToString()).Bind(2, timestampUs).Bind(3, processId).ExecuteInt64();
        _remotesSeen[remote] = (id, timestampUs);
        _remotesAddedThisBatch.Add(remote);
        return id;
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
        foreach (var (key, state) in _streams.Where(s => !s.Value.Dirty).ToList()) _streams.Remove(key);
    }

    private void WriteFlowEstablished(FlowEstablishedEvent f)
    {
        var remoteId = RemoteId(f.RemoteAddress, f.TimestampUs, f.ProcessId);
        Run(_insertFlow, unchecked((long)f.FlowId), _sessionId, f.ProcessId, f.ProcessPath, (byte)f.Direction, f.Protocol,
            f.LocalAddress.ToString(), f.LocalPort, f.RemoteAddress.ToString(), f.RemotePort, remoteId, f.TimestampUs, (object?)f.RawProcessPath ?? DBNull.Value,
            HostNameOf(remoteId, f.TimestampUs, f.ProcessId));
    }

    private object HostNameOf(long remoteId, long timestampUs, uint processId)
    {
        SetAll(_findHostName, remoteId, timestampUs, (long)DnsWindow.TotalMicroseconds, processId);
        return _findHostName.ExecuteScalar() ?? DBNull.Value;
    }

    private void WriteDnsAnswer(DnsAnswerEvent d)
    {
        var cnames = d.CnameChain.Count == 0 ? (object)DBNull.Value : string.Join(" > ", d.CnameChain);
        foreach (var address in d.Addresses)
        {
            var id = _internResolved.Bind(1, address.ToString()).Bind(2, ResolvedOnlyFirstUs).ExecuteInt64();
            Run(_insertDnsAnswer, d.TimestampUs, _sessionId, d.ProcessId, d.QueryName, cnames, d.QueryType, id);
        }
    }

    private void WriteFlowDeleted(FlowDeletedEvent d)
    {
        var updated = Run(_endFlow, d.TimestampUs, (long)d.PacketsIn, (long)d.BytesIn, (long)d.PacketsOut, (long)d.BytesOut, unchecked((long)d.FlowId));
        // A flow established before the collector started still has totals worth keeping.
        if (updated == 0)
            Run(_insertEndedFlow, unchecked((long)d.FlowId), _sessionId, d.TimestampUs, (long)d.PacketsIn, (long)d.BytesIn, (long)d.PacketsOut, (long)d.BytesOut);
        Run(_markStreamsEnded, unchecked((long)d.FlowId));
    }

    private void WriteHealth(HealthEvent h)
    {
        var json = JsonSerializer.Serialize(h.Fields.ToDictionary(f => f.Key, f => f.Value));
        Run(_insertHealth, h.TimestampUs, _sessionId, h.Name, json);
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private void Bind(SqliteTransaction tx)
    {
        foreach (var c in _all) c.Transaction = tx;
    }

    private static void SetAll(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
    }

    private static int Run(SqliteCommand command, params object[] values)
    {
        SetAll(command, values);
        return command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var c in _all) c.Dispose();
        _packets.Dispose();
        _upsertMinute.Dispose();
        _upsertRemote.Dispose();
        _internResolved.Dispose();
    }
}
