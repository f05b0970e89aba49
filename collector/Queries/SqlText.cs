// What `query --sql` accepts: one statement (SQLite's own parser finds where the first ends, before anything runs;
// a second would otherwise be silently skipped), the sqlite3 shell's dot-commands users reach for first, translated
// to SQL on sqlite_schema, and --param values bound by name.
using System.Globalization;
using Dapper;
using MonitorNetwork.Collector.Failures;
using SQLitePCL;

namespace MonitorNetwork.Collector.Queries;

/// <summary>Turns the text given to --sql into one statement and its parameters.</summary>
public static class SqlText
{
    /// <summary>The dot-commands understood, as help names them.</summary>
    public const string KnownDotCommands = ".tables, .schema [NAME], .indexes [TABLE]";

    /// <summary>A dot-command translated to SQL, and whether its rows are raw text lines (.schema) rather than a table.</summary>
    public sealed record Statement(string Sql, DynamicParameters Parameters, bool IsSchemaText);

    /// <summary>
    /// The statement for <paramref name="text"/>: a dot-command's SQL, or the text itself once it is known to hold a
    /// single statement, with <paramref name="parameters"/> ("name=value": a whole number binds as an integer, anything
    /// else as text) bound as @name, $name and :name.
    /// </summary>
    public static Statement Prepare(string text, IReadOnlyList<string> parameters)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw new MonitorNetworkException(FailureKind.Usage, "--sql: the SQL is empty");
        var bound = new DynamicParameters();
        if (trimmed.StartsWith('.'))
        {
            var words = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parameters.Count > 0) throw new MonitorNetworkException(FailureKind.Usage, $"--param goes with SQL, not with {words[0]}");
            if (words.Length > 2) throw new MonitorNetworkException(FailureKind.Usage, $"{words[0]} takes at most one name (a LIKE pattern)");
            bound.Add("@pattern", words.Length == 2 ? words[1] : null);
            return words[0] switch
            {
                ".tables" => new("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND (@pattern IS NULL OR name LIKE @pattern) ORDER BY name", bound, false),
                ".indexes" or ".indices" => new("SELECT name FROM sqlite_schema WHERE type = 'index' AND (@pattern IS NULL OR tbl_name LIKE @pattern) ORDER BY name", bound, false),
                ".schema" => new("SELECT sql || ';' FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND (@pattern IS NULL OR name LIKE @pattern OR tbl_name LIKE @pattern) ORDER BY tbl_name, type DESC, name", bound, true),
                var other => throw new MonitorNetworkException(FailureKind.Usage, $"--sql: {other} is not a dot-command this program knows ({KnownDotCommands}); for the others, open the store in the sqlite3 shell"),
            };
        }
        foreach (var p in parameters)
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new MonitorNetworkException(FailureKind.Usage, $"--param '{p}' must be name=value");
            var name = p[..eq].TrimStart('@', '$', ':');
            var value = p[(eq + 1)..];
            object typed = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : value;
            bound.Add("@" + name, typed);
            bound.Add("$" + name, typed);
            bound.Add(":" + name, typed);
        }
        return new(trimmed, bound, false);
    }

    /// <summary>
    /// How many statements SQLite finds in <paramref name="sql"/> on <paramref name="db"/> (comments and whitespace are
    /// none). One that fails to prepare counts, and ends the count: running it will say why.
    /// </summary>
    internal static int StatementCount(sqlite3 db, string sql)
    {
        var count = 0;
        var rest = sql;
        while (!string.IsNullOrWhiteSpace(rest))
        {
            var rc = raw.sqlite3_prepare_v2(db, rest, out var statement, out string tail);
            using (statement)
            {
                if (rc != raw.SQLITE_OK) return count + 1;
                if (statement is null || statement.IsInvalid) return count; // only comments were left
            }
            count++;
            if (tail.Length >= rest.Length) break;
            rest = tail;
        }
        return count;
    }
}
