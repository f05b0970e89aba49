// Writes batches of decoded events into SQLite: one transaction per batch, in which one writer per family of
// tables (the Store's table writers) does its part. This class only routes events, keeps the session's counters, and runs the
// pruner between batches.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Store;

/// <summary>The store's <see cref="IEventBatchWriter"/>. Owns no connection; use from one thread.</summary>
public sealed class SqliteEventWriter : IEventBatchWriter, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly long _sessionId;
    private readonly RemoteTable _remotes;
    private readonly ImageTable _images;
    private readonly PacketStreamWriter _packets;
    private readonly DnsAnswerWriter _dns;
    private readonly FlowWriter _flows;
    private readonly HealthWriter _health;
    private readonly ProcessWriter _processes;
    private readonly IBatchTableWriter[] _all;
    private readonly SqliteCommand _updateSession;
    private readonly InputSanity _sanity = new();
    private readonly TimeProvider _clock;

    /// <summary>Prepares the statements on <paramref name="connection"/> for session <paramref name="sessionId"/>.</summary>
    public SqliteEventWriter(SqliteConnection connection, long sessionId, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _connection = connection;
        _sessionId = sessionId;
        _remotes = new RemoteTable(connection);
        _images = new ImageTable(connection);
        var usage = new ProgramUsageRollup(connection);
        _packets = new PacketStreamWriter(connection, sessionId, _remotes, usage);
        _dns = new DnsAnswerWriter(connection, sessionId, _remotes);
        _flows = new FlowWriter(connection, sessionId, _remotes, _images, _dns, _packets, _sanity, usage);
        _health = new HealthWriter(connection, sessionId);
        _processes = new ProcessWriter(connection);
        // Flushed in this order at the end of a batch: packet rows and rollups after everything that adds to them, and
        // the programs' usage last, from both rollups.
        _all = [_remotes, _images, _dns, _flows, _health, _processes, _packets, usage];
        _updateSession = SqlCommands.Prepare(connection, """
            UPDATE collector_session SET events_received = $rcv, events_written = $wr, events_dropped = $drop,
                   events_lost = $lost, events_malformed = $bad, events_unknown = $unk, buffers_lost = $buf
            WHERE session_id = $session
            """, "$rcv", "$wr", "$drop", "$lost", "$bad", "$unk", "$buf", "$session");
    }

    /// <summary>
    /// first_ts_us of a remote known only from a DNS answer: it has not been contacted, so it is not "seen" (new-remotes
    /// ignores it), and its first flow or packet sets the real time (min).
    /// </summary>
    public const long ResolvedOnlyFirstUs = long.MaxValue;

    /// <summary>A flow's remote takes the name resolved to its address at most this long before the flow began.</summary>
    public TimeSpan DnsWindow { get => _dns.Window; init => _dns.Window = value; }

    /// <summary>
    /// False only in the benchmark's baseline run, to measure what rollup maintenance costs ingest; the store's
    /// queries are wrong without it.
    /// </summary>
    internal bool MaintainRollups { get => _packets.MaintainRollups; init => _packets.MaintainRollups = value; }

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
                if (pruner.StreamsDeleted != streamsBefore) _packets.Forget();
                if (pruner.RemotesDeleted != remotesBefore) _remotes.Forget();
            }
        }
        catch (SqliteException)
        {
            // The batch is committed; pruning that meets a lock or an error simply runs again next interval.
        }
    }

    private void Commit(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters)
    {
        using var tx = _connection.BeginTransaction();
        try
        {
            foreach (var w in _all) w.Begin(tx);
            _updateSession.Transaction = tx;
            var nowUs = Events.UnixMicros.Now(_clock);
            foreach (var evt in batch)
            {
                // A zeroed or lying clock (1601, 1969, next year) would put the event outside every time window, or
                // in the wrong one: it is refused here, counted, and said in the batch's InputSanity row.
                if (!InputSanity.Plausible(evt.TimestampUs, nowUs))
                {
                    _sanity.Note(InputSanity.Rules.TimestampImplausible, evt.TimestampUs);
                    continue;
                }
                switch (evt)
                {
                    case PacketEvent p:
                        if (_packets.Write(p)) _flows.PacketsSeen(p.FlowId);
                        break;
                    case FlowEstablishedEvent f: _flows.WriteEstablished(f); break;
                    case FlowStatsEvent s: _flows.WriteStats(s); break;
                    case FlowDeletedEvent d: _flows.WriteDeleted(d); break;
                    case HealthEvent h: _health.Write(h); break;
                    case ProcessStartedEvent s: _processes.Write(s); break;
                    case ProcessEndedEvent e: _processes.Write(e); break;
                    case DnsAnswerEvent d:
                        if (d.CnamesCapped) _sanity.Note(InputSanity.Rules.CnameChainCapped, d.TimestampUs);
                        if (d.AddressesRejected) _sanity.Note(InputSanity.Rules.AddressNotStrict, d.TimestampUs);
                        _dns.Write(d);
                        break;
                }
            }
            if (_sanity.Take(nowUs) is { } sanity) _health.Write(sanity);
            foreach (var w in _all) w.Flush();
            SqlCommands.Run(_updateSession, counters.Received, counters.Written, counters.Dropped, counters.Lost, counters.Malformed, counters.Unknown, counters.BuffersLost, _sessionId);
            tx.Commit();
        }
        catch
        {
            foreach (var w in _all) w.RolledBack();
            _sanity.Clear();
            throw;
        }
        finally
        {
            foreach (var w in _all) w.Ended();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var w in _all) w.Dispose();
        _updateSession.Dispose();
    }
}
