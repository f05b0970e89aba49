// The one hot statement on SQLite's C API (through SQLitePCLRaw, which Microsoft.Data.Sqlite is built on):
// binding integers directly avoids the boxing and parameter objects of SqliteCommand, and rows go in groups of
// RowsPerStatement through one multi-row INSERT to cut the per-step overhead. The benchmark in bench/ measures
// both gains (README, Performance); every other statement stays on Microsoft.Data.Sqlite.
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MonitorNetwork.Collector.Store;

/// <summary>Inserts packet rows through prepared statements. Use on the owning connection's thread only.</summary>
internal sealed class RawPacketInserter : IDisposable
{
    internal const int RowsPerStatement = 64;
    private const int Columns = 5;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _single;
    private readonly sqlite3_stmt _group;
    private readonly long[] _pending = new long[RowsPerStatement * Columns];
    private int _pendingRows;

    private readonly long _sessionId;

    public RawPacketInserter(SqliteConnection connection, long sessionId)
    {
        _sessionId = sessionId;
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, InsertSql(1), out _single));
        Check(raw.sqlite3_prepare_v2(_db, InsertSql(RowsPerStatement), out _group));
    }

    private static string InsertSql(int rows)
    {
        var sql = new StringBuilder("INSERT INTO packet(ts_us, stream_id, direction, bytes, session_id) VALUES ");
        for (var r = 0; r < rows; r++) sql.Append(r == 0 ? "(?,?,?,?,?)" : ",(?,?,?,?,?)");
        return sql.ToString();
    }

    /// <summary>Queues one row; rows reach SQLite in groups, and all of them by <see cref="Flush"/>.</summary>
    public void Add(long timestampUs, long streamId, int direction, long bytes)
    {
        var i = _pendingRows * Columns;
        _pending[i] = timestampUs;
        _pending[i + 1] = streamId;
        _pending[i + 2] = direction;
        _pending[i + 3] = bytes;
        _pending[i + 4] = _sessionId;
        if (++_pendingRows == RowsPerStatement)
        {
            _pendingRows = 0; // cleared first: after a failure the rows belong to the rolled-back batch, not the next one
            Step(_group, RowsPerStatement);
        }
    }

    /// <summary>Inserts every queued row; call before committing. Throws <see cref="SqliteException"/> with SQLite's code.</summary>
    public void Flush()
    {
        var rows = _pendingRows;
        _pendingRows = 0;
        for (var r = 0; r < rows; r++)
        {
            Array.Copy(_pending, r * Columns, _pending, 0, Columns);
            Step(_single, 1);
        }
    }

    /// <summary>Forgets queued rows (their batch was rolled back).</summary>
    public void Discard() => _pendingRows = 0;

    private void Step(sqlite3_stmt statement, int rows)
    {
        for (var p = 0; p < rows * Columns; p++) raw.sqlite3_bind_int64(statement, p + 1, _pending[p]);
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) throw RawStatement.Error(_db, rc);
    }

    public void Dispose()
    {
        _single.Dispose();
        _group.Dispose();
    }
}
