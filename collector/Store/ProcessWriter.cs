// process: program runs (pid, start time) from Kernel-Process and the live rundown.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Writes process starts and ends; a later sighting fills what an earlier one lacked.</summary>
internal sealed class ProcessWriter(SqliteConnection connection) : IBatchTableWriter
{
    private readonly SqliteCommand _upsert = SqlCommands.Prepare(connection, """
        INSERT INTO process(pid, start_ts_us, end_ts_us, image_path, command_line, image_path_raw) VALUES ($pid, $start, $end, $image, $cmd, $raw)
        ON CONFLICT(pid, start_ts_us) DO UPDATE SET
            end_ts_us = coalesce(excluded.end_ts_us, end_ts_us),
            image_path = coalesce(excluded.image_path, image_path),
            command_line = coalesce(excluded.command_line, command_line),
            image_path_raw = coalesce(excluded.image_path_raw, image_path_raw)
        """, "$pid", "$start", "$end", "$image", "$cmd", "$raw");

    public void Write(ProcessStartedEvent s) =>
        SqlCommands.Run(_upsert, s.ProcessId, s.StartTimeUs, DBNull.Value, SqlCommands.OrNull(s.ImagePath), SqlCommands.OrNull(s.CommandLine), SqlCommands.OrNull(s.RawImagePath));

    public void Write(ProcessEndedEvent e) =>
        SqlCommands.Run(_upsert, e.ProcessId, e.StartTimeUs, e.TimestampUs, SqlCommands.OrNull(e.ImagePath), DBNull.Value, SqlCommands.OrNull(e.RawImagePath));

    public void Begin(SqliteTransaction tx) => SqlCommands.Join(tx, _upsert);
    public void Flush() { }
    public void RolledBack() { }
    public void Ended() { }
    public void Dispose() => _upsert.Dispose();
}
