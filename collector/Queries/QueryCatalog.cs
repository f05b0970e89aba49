// Loads the named queries embedded from queries/*.sql and parses their header comments
// ("-- title:", "-- description:", "-- why:", "-- param: name | type | default | description").
using System.Reflection;

namespace MonitorNetwork.Collector.Queries;

/// <summary>The named queries shipped with this build.</summary>
public static class QueryCatalog
{
    private static readonly Lazy<IReadOnlyList<NamedQuery>> s_all = new(() => Load(typeof(QueryCatalog).Assembly));

    /// <summary>Every named query, by name.</summary>
    public static IReadOnlyList<NamedQuery> All => s_all.Value;

    /// <summary>The query called <paramref name="name"/>, or null.</summary>
    public static NamedQuery? Find(string name) => All.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<NamedQuery> Load(Assembly assembly)
    {
        var queries = new List<NamedQuery>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("queries/", StringComparison.Ordinal)).Order())
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            queries.Add(Parse(Path.GetFileNameWithoutExtension(resource), reader.ReadToEnd()));
        }
        return queries;
    }

    /// <summary>Parses one query file; throws <see cref="FormatException"/> naming the problem.</summary>
    public static NamedQuery Parse(string name, string text)
    {
        string title = "", description = "", why = "";
        var notes = new List<string>();
        var parameters = new List<QueryParameter>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        for (; i < lines.Length && lines[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            var line = lines[i][2..].Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? line[..colon].Trim().ToLowerInvariant() : "";
            var value = colon > 0 ? line[(colon + 1)..].Trim() : line;
            switch (key)
            {
                case "title": title = value; break;
                case "description": description = value; break;
                case "why": why = value; break;
                case "param": parameters.Add(ParseParameter(name, value)); break;
                default: notes.Add(line); break;
            }
        }
        if (title.Length == 0 || description.Length == 0 || why.Length == 0)
            throw new FormatException($"query {name}: the header needs title, description and why");
        var sql = string.Join('\n', lines[i..]).Trim();
        if (sql.Length == 0) throw new FormatException($"query {name}: no SQL after the header");
        return new NamedQuery(name, title, description, why, string.Join(' ', notes), parameters, sql);
    }

    private static QueryParameter ParseParameter(string query, string spec)
    {
        var parts = spec.Split('|');
        if (parts.Length != 4) throw new FormatException($"query {query}: param '{spec}' must be 'name | type | default | description'");
        var declared = parts[1].Trim().ToLowerInvariant();
        if (declared.StartsWith("one of ", StringComparison.Ordinal))
            return new QueryParameter(parts[0].Trim(), QueryParameterType.Choice, parts[2].Trim(), parts[3].Trim(),
                declared["one of ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var type = declared switch
        {
            "time" => QueryParameterType.Time,
            "int" => QueryParameterType.Int,
            "text" => QueryParameterType.Text,
            "address" => QueryParameterType.Address,
            var other => throw new FormatException($"query {query}: unknown parameter type '{other}'"),
        };
        return new QueryParameter(parts[0].Trim(), type, parts[2].Trim(), parts[3].Trim());
    }
}
