// Prepared Microsoft.Data.Sqlite commands with positional values: the writers' common way to run a statement.
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>Helpers for prepared commands reused across batches.</summary>
internal static class SqlCommands
{
    /// <summary>A command on <paramref name="connection"/> with one parameter per name, in order.</summary>
    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    /// <summary>Sets the parameters in order.</summary>
    public static void SetAll(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
    }

    /// <summary>Sets the parameters and runs the command; the rows it changed.</summary>
    public static int Run(SqliteCommand command, params object[] values)
    {
        SetAll(command, values);
        return command.ExecuteNonQuery();
    }

    /// <summary>Joins every command to the batch's transaction.</summary>
    public static void Join(SqliteTransaction tx, params SqliteCommand[] commands)
    {
        foreach (var c in commands) c.Transaction = tx;
    }

    /// <summary>A value or SQL NULL.</summary>
    public static object OrNull(object? value) => value ?? DBNull.Value;
}
