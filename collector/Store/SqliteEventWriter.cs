// Writes batches of decoded events into SQLite with prepared commands reused across batches.
// Packets are stored as (time, stream, direction, bytes); the stream row holds the rest once.
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Store;

/// <summary>The store's <see cref="IEventBatchWriter"/>. Owns no connection; use from one thread.</summary>
public sealed class SqliteEventWriter : IEventBatchWriter, IDisposable
{
    /// <summary>Past this many cached streams the cache starts over; the UNIQUE upsert finds old streams again.</summary>
    private const int MaxCachedStreams = 1_000_000;

    private readonly SqliteConnection _connection;
    private readonly long _sessionId;
    private readonly Dictionary<StreamKey, long> _streams = new();
    private readonly List<StreamKey> _streamsAddedThisBatch = new();
    private readonly SqliteCommand _insertPacket, _upsertStream, _insertFlow, _endFlow, _insertEndedFlow, _insertHealth, _updateSession;

    /// <summary>Prepares the statements on <paramref name="connection"/> for session <paramref name="sessionId"/>.</summary>
    public SqliteEventWriter(SqliteConnection connection, long sessionId)
    {
        _connection = connection;
        _sessionId = sessionId;
        _insertPacket = Prepare("INSERT INTO packet(ts_us, stream_id, direction, bytes) VALUES ($ts, $stream, $dir, $bytes)", "$ts", "$stream", "$dir", "$bytes");
        _upsertStream = Prepare("""
            INSERT INTO packet_stream(flow_id, pid, protocol, local_address, local_port, remote_address, remote_port)
            VALUES ($flow, $pid, $proto, $la, $lp, $ra, $rp)
            ON CONFLICT DO UPDATE SET pid = excluded.pid
            RETURNING stream_id
            """, "$flow", "$pid", "$proto", "$la", "$lp", "$ra", "$rp");
        _insertFlow = Prepare("""
            INSERT INTO flow(flow_id, session_id, pid, process_path, direction, protocol, local_address, local_port, remote_address, remote_port, start_ts_us)
            VALUES ($flow, $session, $pid, $path, $dir, $proto, $la, $lp, $ra, $rp, $ts)
            """, "$flow", "$session", "$pid", "$path", "$dir", "$proto", "$la", "$lp", "$ra", "$rp", "$ts");
        _endFlow = Prepare("""
            UPDATE flow SET end_ts_us = $ts, packets_in = $pin, bytes_in = $bin, packets_out = $pout, bytes_out = $bout
            WHERE flow_key = (SELECT max(flow_key) FROM flow WHERE flow_id = $flow AND end_ts_us IS NULL)
            """, "$ts", "$pin", "$bin", "$pout", "$bout", "$flow");
        _insertEndedFlow = Prepare("""
            INSERT INTO flow(flow_id, session_id, end_ts_us, packets_in, bytes_in, packets_out, bytes_out)
            VALUES ($flow, $session, $ts, $pin, $bin, $pout, $bout)
            """, "$flow", "$session", "$ts", "$pin", "$bin", "$pout", "$bout");
        _insertHealth = Prepare("INSERT INTO health_event(ts_us, session_id, event_name, fields_json) VALUES ($ts, $session, $name, $json)",
            "$ts", "$session", "$name", "$json");
        _updateSession = Prepare("""
            UPDATE collector_session SET events_received = $rcv, events_written = $wr, events_dropped = $drop,
                   events_lost = $lost, events_malformed = $bad, events_unknown = $unk
            WHERE session_id = $session
            """, "$rcv", "$wr", "$drop", "$lost", "$bad", "$unk", "$session");
    }

    /// <inheritdoc/>
    public void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters)
    {
        _streamsAddedThisBatch.Clear();
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
                }
            }
            Run(_updateSession, counters.Received, counters.Written, counters.Dropped, counters.Lost, counters.Malformed, counters.Unknown, _sessionId);
            tx.Commit();
        }
        catch
        {
            // The rollback undid the streams this batch inserted; forget their ids too.
            foreach (var key in _streamsAddedThisBatch) _streams.Remove(key);
            throw;
        }
    }

    private void WritePacket(PacketEvent p)
    {
        var key = StreamKey.Of(p);
        if (!_streams.TryGetValue(key, out var streamId))
        {
            if (_streams.Count >= MaxCachedStreams) _streams.Clear();
            SetAll(_upsertStream, unchecked((long)p.FlowId), p.ProcessId, p.Protocol, p.LocalAddress.ToString(), p.LocalPort,
                p.RemoteAddress.ToString(), p.RemotePort);
            streamId = (long)_upsertStream.ExecuteScalar()!;
            _streams[key] = streamId;
            _streamsAddedThisBatch.Add(key);
        }
        Run(_insertPacket, p.TimestampUs, streamId, (byte)p.Direction, p.Bytes);
    }

    private void WriteFlowEstablished(FlowEstablishedEvent f) =>
        Run(_insertFlow, unchecked((long)f.FlowId), _sessionId, f.ProcessId, f.ProcessPath, (byte)f.Direction, f.Protocol,
            f.LocalAddress.ToString(), f.LocalPort, f.RemoteAddress.ToString(), f.RemotePort, f.TimestampUs);

    private void WriteFlowDeleted(FlowDeletedEvent d)
    {
        var updated = Run(_endFlow, d.TimestampUs, (long)d.PacketsIn, (long)d.BytesIn, (long)d.PacketsOut, (long)d.BytesOut, unchecked((long)d.FlowId));
        // A flow established before the collector started still has totals worth keeping.
        if (updated == 0)
            Run(_insertEndedFlow, unchecked((long)d.FlowId), _sessionId, d.TimestampUs, (long)d.PacketsIn, (long)d.BytesIn, (long)d.PacketsOut, (long)d.BytesOut);
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
        foreach (var c in new[] { _insertPacket, _upsertStream, _insertFlow, _endFlow, _insertEndedFlow, _insertHealth, _updateSession })
            c.Transaction = tx;
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
        foreach (var c in new[] { _insertPacket, _upsertStream, _insertFlow, _endFlow, _insertEndedFlow, _insertHealth, _updateSession })
            c.Dispose();
    }
}
