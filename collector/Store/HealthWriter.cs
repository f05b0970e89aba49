// health_event: the driver's Health-keyword events, fields kept as JSON.
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Writes <see cref="HealthEvent"/>s.</summary>
internal sealed class HealthWriter(SqliteConnection connection, long sessionId) : IBatchTableWriter
{
    private readonly SqliteCommand _insert = SqlCommands.Prepare(connection,
        "INSERT INTO health_event(ts_us, session_id, event_name, fields_json) VALUES ($ts, $session, $name, $json)",
        "$ts", "$session", "$name", "$json");

    public void Write(HealthEvent h)
    {
        var json = JsonSerializer.Serialize(h.Fields.ToDictionary(f => f.Key, f => f.Value));
        SqlCommands.Run(_insert, h.TimestampUs, sessionId, h.Name, json);
    }

    public void Begin(SqliteTransaction tx) => SqlCommands.Join(tx, _insert);
    public void Flush() { }
    public void RolledBack() { }
    public void Ended() { }
    public void Dispose() => _insert.Dispose();
}
