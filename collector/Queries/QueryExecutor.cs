// Runs named and ad-hoc SQL on a read-only connection (query_only as well), binding parameters through Dapper,
// streaming rows to a writer as SQLite yields them. Every query is bounded: a progress handler interrupts it when its
// time is up, and an authorizer refuses, before they run, statements that would create files or change settings
// (ATTACH, VACUUM INTO, writing PRAGMAs). SQLite's refusals become one-line failures.
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Store;
using SQLitePCL;

namespace MonitorNetwork.Collector.Queries;

/// <summary>Executes queries against a MonitorNetwork database.</summary>
public static class QueryExecutor
{
    private const int SqliteNoMem = 7, SqliteReadOnly = 8, SqliteInterrupt = 9, SqliteTooBig = 18, SqliteAuth = 23;

    /// <summary>How long a query may run unless told otherwise (query --timeout).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs a named query with bound parameters and collects its rows (tests, reports).</summary>
    public static QueryResult Run(string databasePath, NamedQuery query, IReadOnlyDictionary<string, object> parameters)
    {
        var collector = new CollectingWriter();
        Stream(databasePath, query.Sql, ToDynamic(parameters), DefaultTimeout, collector);
        return collector.Result;
    }

    /// <summary>Runs ad-hoc SQL and collects its rows; any attempt to write fails with <see cref="FailureKind.QueryFailed"/>.</summary>
    public static QueryResult RunSql(string databasePath, string sql, DynamicParameters? parameters = null)
    {
        var collector = new CollectingWriter();
        Stream(databasePath, sql, parameters, DefaultTimeout, collector);
        return collector.Result;
    }

    /// <summary>Binds a named query's parameters.</summary>
    public static DynamicParameters ToDynamic(IReadOnlyDictionary<string, object> parameters)
    {
        var dynamicParameters = new DynamicParameters();
        foreach (var (name, value) in parameters) dynamicParameters.Add("@" + name, value);
        return dynamicParameters;
    }

    /// <summary>SQLite's hard heap limit for a query unless told otherwise (query --heap-limit).</summary>
    public const long DefaultHeapLimit = 256L << 20;

    /// <summary>
    /// Runs <paramref name="sql"/>, handing each row to <paramref name="writer"/> as it is read; returns the row count.
    /// SQLite may use at most <paramref name="heapLimit"/> bytes (its hard heap limit, process-wide: a CLI runs one query).
    /// </summary>
    public static long Stream(string databasePath, string sql, DynamicParameters? parameters, TimeSpan timeout, IResultWriter writer, long heapLimit = DefaultHeapLimit)
    {
        if (string.IsNullOrWhiteSpace(sql)) throw new MonitorNetworkException(FailureKind.Usage, "--sql: the SQL is empty");
        // The heap limit is the process's, not the query's: two queries at once (a test host, a report's sections
        // on threads) would lift each other's limit when the first one ends. One query holds it at a time.
        lock (s_heapLimitHolder) return StreamHoldingTheHeapLimit(databasePath, sql, parameters, timeout, writer, heapLimit);
    }

    private static readonly object s_heapLimitHolder = new();

    private static long StreamHoldingTheHeapLimit(string databasePath, string sql, DynamicParameters? parameters, TimeSpan timeout, IResultWriter writer, long heapLimit)
    {
        using var connection = StoreDatabase.OpenReadOnly(databasePath);
        connection.Execute("PRAGMA query_only = 1");
        raw.sqlite3_hard_heap_limit64(heapLimit);
        var clock = Stopwatch.StartNew();
        // Checked every 10,000 virtual-machine steps: about a millisecond of work, a negligible cost.
        raw.sqlite3_progress_handler(connection.Handle, 10_000, _ => clock.Elapsed > timeout ? 1 : 0, null);
        raw.sqlite3_set_authorizer(connection.Handle, Authorize, null);
        long rows = 0;
        try
        {
            if (SqlText.StatementCount(connection.Handle!, sql) > 1)
                throw new MonitorNetworkException(FailureKind.Usage, "--sql: give one statement at a time (this text holds more than one; a trailing ';' is fine)");
            // CommandType.Text always: Dapper would take a statement without a space ("select(1)", ".tables") for a stored procedure.
            using var reader = connection.ExecuteReader(new CommandDefinition(sql, parameters, commandType: System.Data.CommandType.Text));
            writer.Begin(Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray());
            var row = new object?[reader.FieldCount];
            while (reader.Read())
            {
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                writer.Row(row);
                rows++;
            }
            writer.End();
            return rows;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteInterrupt)
        {
            throw new MonitorNetworkException(FailureKind.QueryTimeout,
                $"the query ran past its {timeout.TotalSeconds:0.#} s limit and was stopped ({rows} rows written); raise it with --timeout", ex);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteNoMem or SqliteTooBig)
        {
            throw new MonitorNetworkException(FailureKind.QueryFailed,
                $"the query needed more than its {heapLimit >> 20} MB of memory and was stopped ({rows} rows written); raise it with --heap-limit, or ask for less", ex);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteAuth)
        {
            throw new MonitorNetworkException(FailureKind.QueryFailed, "queries are read-only: this SQL would attach a file, vacuum into one, or change a setting, and was refused before it ran", ex);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteReadOnly || ex.Message.Contains("query_only", StringComparison.OrdinalIgnoreCase))
        {
            throw new MonitorNetworkException(FailureKind.QueryFailed, "queries are read-only: this SQL tries to change the database", ex);
        }
        catch (SqliteException ex)
        {
            throw new MonitorNetworkException(FailureKind.QueryFailed, $"SQLite rejected the query: {ex.Message.Split('\n')[0].Replace("SQLite Error ", "", StringComparison.Ordinal)}", ex);
        }
        finally
        {
            raw.sqlite3_progress_handler(connection.Handle, 0, null, null);
            raw.sqlite3_hard_heap_limit64(0);
        }
    }

    private const int SqliteAttach = 24, SqliteDetach = 25, SqlitePragma = 19, SqliteDeny = 1, SqliteOk = 0;

    /// <summary>
    /// Refuses what could create a file or change the connection before it runs: ATTACH and DETACH (VACUUM INTO
    /// attaches its target), and PRAGMAs that set a value (a PRAGMA with an argument). Reading PRAGMAs stay allowed.
    /// </summary>
    private static int Authorize(object userData, int action, utf8z first, utf8z second, utf8z database, utf8z trigger)
    {
        _ = userData; _ = database; _ = trigger;
        return action switch
        {
            SqliteAttach or SqliteDetach => SqliteDeny,
            SqlitePragma when second.utf8_to_string() is { Length: > 0 } && !ReadOnlyPragma(first.utf8_to_string()) => SqliteDeny,
            _ => SqliteOk,
        };
    }

    // table_info('flow') and friends take an argument and only read.
    private static bool ReadOnlyPragma(string? name) => name?.ToLowerInvariant() is "table_info" or "table_xinfo" or "index_info" or "index_list"
        or "index_xinfo" or "foreign_key_list" or "pragma_list" or "function_list" or "module_list" or "compile_options";

    /// <summary>Keeps every row: for the callers that need the whole result.</summary>
    private sealed class CollectingWriter : IResultWriter
    {
        private readonly List<object?[]> _rows = [];
        private IReadOnlyList<string> _columns = [];
        public QueryResult Result => new(_columns, _rows);
        public void Begin(IReadOnlyList<string> columns) => _columns = columns;
        public void Row(object?[] values) => _rows.Add((object?[])values.Clone());
        public void End() { }
    }
}
