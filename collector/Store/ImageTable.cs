// image: every program path interned once (migration 0010). Flows carry the id; a machine runs few programs, so the
// cache holds them all and a FlowEstablished rarely touches the table.
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>Image ids by (path, path as WFP gave it).</summary>
internal sealed class ImageTable : IBatchTableWriter
{
    private const int MaxCached = 4_096;

    private readonly Dictionary<(string Path, string Raw), long> _ids = new();
    private readonly List<(string, string)> _addedThisBatch = new();
    private readonly SqliteCommand _upsert;

    public ImageTable(SqliteConnection connection)
    {
        // A no-op DO UPDATE so RETURNING yields the id of a row already there.
        _upsert = SqlCommands.Prepare(connection, """
            INSERT INTO image(process_path, process_path_raw) VALUES ($path, $raw)
            ON CONFLICT(process_path, process_path_raw) DO UPDATE SET process_path = excluded.process_path
            RETURNING image_id
            """, "$path", "$raw");
    }

    /// <summary>The id of <paramref name="path"/>; <paramref name="rawPath"/> is WFP's form when it differs, else null.</summary>
    public long IdOf(string path, string? rawPath)
    {
        var key = (path, rawPath ?? "");
        if (_ids.TryGetValue(key, out var id)) return id;
        if (_ids.Count >= MaxCached) _ids.Clear();
        SqlCommands.SetAll(_upsert, key.path, key.Item2);
        id = (long)_upsert.ExecuteScalar()!;
        _ids[key] = id;
        _addedThisBatch.Add(key);
        return id;
    }

    public void Begin(SqliteTransaction tx)
    {
        _addedThisBatch.Clear();
        _upsert.Transaction = tx;
    }

    public void Flush() { }

    public void RolledBack()
    {
        foreach (var key in _addedThisBatch) _ids.Remove(key);
    }

    public void Ended() => _addedThisBatch.Clear();

    public void Dispose() => _upsert.Dispose();
}
