// Runs named and ad-hoc SQL on a read-only connection (query_only as well, so even ATTACH cannot write),
// binding parameters through Dapper, and maps SQLite's refusals to one-line failures.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Queries;

/// <summary>Executes queries against a MonitorNetwork database.</summary>
public static class QueryExecutor
{
    private const int SqliteReadOnly = 8;

    /// <summary>Runs a named query with bound parameters.</summary>
    public static QueryResult Run(string databasePath, NamedQuery query, IReadOnlyDictionary<string, object> parameters)
    {
        var dynamicParameters = new DynamicParameters();
        foreach (var (name, value) in parameters) dynamicParameters.Add("@" + name, value);
        return Execute(databasePath, query.Sql, dynamicParameters);
    }

    /// <summary>Runs ad-hoc SQL; any attempt to write fails with <see cref="FailureKind.QueryFailed"/>.</summary>
    public static QueryResult RunSql(string databasePath, string sql) => Execute(databasePath, sql, null);

    private static QueryResult Execute(string databasePath, string sql, DynamicParameters? parameters)
    {
        using var connection = StoreDatabase.OpenReadOnly(databasePath);
        connection.Execute("PRAGMA query_only = 1");
        try
        {
            using var reader = connection.ExecuteReader(sql, parameters);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
            return new QueryResult(columns, rows);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteReadOnly || ex.Message.Contains("query_only", StringComparison.OrdinalIgnoreCase))
        {
            throw new MonitorNetworkException(FailureKind.QueryFailed, "queries are read-only: this SQL tries to change the database", ex);
        }
        catch (SqliteException ex)
        {
            throw new MonitorNetworkException(FailureKind.QueryFailed, $"SQLite rejected the query: {ex.Message.Split('\n')[0].Replace("SQLite Error ", "", StringComparison.Ordinal)}", ex);
        }
    }
}
