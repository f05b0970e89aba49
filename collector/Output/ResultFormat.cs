// The output formats of `monitornetwork query`, and the one place that picks a writer for each.
namespace MonitorNetwork.Collector.Output;

/// <summary>Output format of query results.</summary>
public enum ResultFormat
{
    /// <summary>An aligned table for a terminal (Spectre.Console).</summary>
    Table,
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,
    /// <summary>A JSON array of objects.</summary>
    Json,
}

/// <summary>Writes a query result in one format.</summary>
public interface IResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    void Write(Queries.QueryResult result, TextWriter output);
}

/// <summary>Chooses the writer for a format.</summary>
public static class ResultWriters
{
    /// <summary>The writer of <paramref name="format"/>.</summary>
    public static IResultWriter For(ResultFormat format, bool outputIsTerminal) => format switch
    {
        ResultFormat.Csv => new CsvResultWriter(),
        ResultFormat.Json => new JsonResultWriter(),
        _ => new TableResultWriter(outputIsTerminal),
    };

    /// <summary>Text of a cell for the text formats; null becomes empty.</summary>
    public static string CellText(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        byte[] b => Convert.ToHexString(b).ToLowerInvariant(),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
