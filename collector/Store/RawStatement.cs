// A prepared statement on SQLite's C API for the writer's per-batch hot statements (the rollup upserts), where
// SqliteCommand's per-call parameter boxing showed in the benchmark (README, Performance).
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MonitorNetwork.Collector.Store;

/// <summary>One prepared statement with positional parameters. Use on the owning connection's thread only.</summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds parameter <paramref name="index"/> (1-based).</summary>
    public RawStatement Bind(int index, long value)
    {
        raw.sqlite3_bind_int64(_statement, index, value);
        return this;
    }

    /// <summary>Binds parameter <paramref name="index"/> (1-based).</summary>
    public RawStatement Bind(int index, string value)
    {
        raw.sqlite3_bind_text(_statement, index, value);
        return this;
    }

    /// <summary>Runs the statement to completion; throws <see cref="SqliteException"/> with SQLite's code on failure.</summary>
    public void Execute()
    {
        int rc;
        while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW) { }
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
    }

    /// <summary>Runs the statement and returns the first column of its first row (an INSERT ... RETURNING id).</summary>
    public long ExecuteInt64()
    {
        var rc = raw.sqlite3_step(_statement);
        var value = rc == raw.SQLITE_ROW ? raw.sqlite3_column_int64(_statement, 0) : 0;
        while (rc == raw.SQLITE_ROW) rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
        return value;
    }

    internal static SqliteException Error(sqlite3 db, int rc) =>
        new($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(db));

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) throw Error(_db, rc);
    }

    public void Dispose() => _statement.Dispose();
}
