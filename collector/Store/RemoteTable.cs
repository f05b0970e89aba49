// remote: every remote address interned once, with its first sighting. Flows, streams and DNS answers carry the id.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Remote ids, with a cache that skips the upsert for sightings no earlier than one already stored.</summary>
internal sealed class RemoteTable : IBatchTableWriter
{
    private const int MaxCached = 65_536;

    /// <summary>Remote ids, and a first sighting already stored no later than the time here.</summary>
    private readonly Dictionary<NetAddress, (long Id, long FirstUs)> _seen = new();
    private readonly List<NetAddress> _addedThisBatch = new();
    private readonly RawStatement _upsert, _internResolved;

    public RemoteTable(SqliteConnection connection)
    {
        // Unconditional DO UPDATE (the CASE keeps the earlier sighting) so RETURNING always yields the id.
        _upsert = new RawStatement(connection, """
            INSERT INTO remote(remote_address, first_ts_us, first_pid) VALUES (?1, ?2, ?3)
            ON CONFLICT(remote_address) DO UPDATE SET
                first_pid = CASE WHEN excluded.first_ts_us < first_ts_us THEN excluded.first_pid ELSE first_pid END,
                first_ts_us = min(first_ts_us, excluded.first_ts_us)
            RETURNING remote_id
            """);
        // An address a DNS answer gave: interned without claiming it was seen (ResolvedOnlyFirstUs).
        _internResolved = new RawStatement(connection, """
            INSERT INTO remote(remote_address, first_ts_us, first_pid) VALUES (?1, ?2, NULL)
            ON CONFLICT(remote_address) DO UPDATE SET first_ts_us = first_ts_us
            RETURNING remote_id
            """);
    }

    /// <summary>The remote's id, recording this sighting unless an earlier one is already known to be stored.</summary>
    public long Seen(NetAddress remote, long timestampUs, uint processId)
    {
        if (_seen.TryGetValue(remote, out var known) && known.FirstUs <= timestampUs) return known.Id;
        if (_seen.Count >= MaxCached) _seen.Clear();
        var id = _upsert.Bind(1, remote.ToString()).Bind(2, timestampUs).Bind(3, processId).ExecuteInt64();
        _seen[remote] = (id, timestampUs);
        _addedThisBatch.Add(remote);
        return id;
    }

    /// <summary>The id of an address a DNS answer gave, without a sighting.</summary>
    public long Resolved(NetAddress address) =>
        _internResolved.Bind(1, address.ToString()).Bind(2, SqliteEventWriter.ResolvedOnlyFirstUs).ExecuteInt64();

    /// <summary>The pruner deleted remotes: cached ids may name them.</summary>
    public void Forget() => _seen.Clear();

    public void Begin(SqliteTransaction tx) => _addedThisBatch.Clear();
    public void Flush() { }
    public void RolledBack()
    {
        foreach (var remote in _addedThisBatch) _seen.Remove(remote);
    }
    public void Ended() => _addedThisBatch.Clear();

    public void Dispose()
    {
        _upsert.Dispose();
        _internResolved.Dispose();
    }
}
