// The one hot statement on SQLite's C API (through SQLitePCLRaw, which Microsoft.Data.Sqlite is built on):
// binding four integers directly avoids the boxing and parameter objects of SqliteCommand. The benchmark in
// bench/ measures the gain (README, Performance); every other statement stays on Microsoft.Data.Sqlite.
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MonitorNetwork.Collector.Store;

/// <summary>Inserts packet rows through a prepared statement. Use on the owning connection's thread only.</summary>
internal sealed class RawPacketInserter : IDisposable
{
    private const string Sql = "INSERT INTO packet(ts_us, stream_id, direction, bytes) VALUES (?1, ?2, ?3, ?4)";
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawPacketInserter(SqliteConnection connection)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _statement));
    }

    /// <summary>Inserts one row; throws <see cref="SqliteException"/> with SQLite's code (BUSY, FULL, ...) on failure.</summary>
    public void Insert(long timestampUs, long streamId, int direction, long bytes)
    {
        raw.sqlite3_bind_int64(_statement, 1, timestampUs);
        raw.sqlite3_bind_int64(_statement, 2, streamId);
        raw.sqlite3_bind_int(_statement, 3, direction);
        raw.sqlite3_bind_int64(_statement, 4, bytes);
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE)
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
