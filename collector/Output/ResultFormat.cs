// The output formats of `monitornetwork query`, and the one place that picks a writer for each. Writers stream:
// rows are written as SQLite yields them (CSV, JSON) or counted past the table's cap, so memory stays flat
// whatever the result's size.
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

/// <summary>Receives a query's result as it is read.</summary>
public interface IResultWriter
{
    /// <summary>The columns, before any row.</summary>
    void Begin(IReadOnlyList<string> columns);

    /// <summary>One row; the array is the writer's to keep only for the duration of the call.</summary>
    void Row(object?[] values);

    /// <summary>After the last row.</summary>
    void End();
}

/// <summary>Chooses the writer for a format.</summary>
public static class ResultWriters
{
    /// <summary>Rows a table shows by default; the rest are counted and the count said.</summary>
    public const int DefaultTableRows = 1000;

    /// <summary>Parses a --format value; a usage failure names the formats.</summary>
    public static ResultFormat Parse(string text) => text.ToLowerInvariant() switch
    {
        "table" => ResultFormat.Table,
        "csv" => ResultFormat.Csv,
        "json" => ResultFormat.Json,
        _ => throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"--format: '{text}' is not table, csv or json"),
    };

    /// <summary>The writer of <paramref name="format"/> over <paramref name="output"/>.</summary>
    public static IResultWriter For(ResultFormat format, TextWriter output, bool outputIsTerminal, int tableRows = DefaultTableRows, bool csvRaw = false) => format switch
    {
        ResultFormat.Csv => new CsvResultWriter(output, outputIsTerminal, csvRaw),
        ResultFormat.Json => new JsonResultWriter(output),
        _ => new TableResultWriter(output, outputIsTerminal, tableRows),
    };

    /// <summary>Text of a cell for the text formats; null becomes empty, blobs are lowercase hex everywhere.</summary>
    public static string CellText(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        byte[] b => Convert.ToHexString(b).ToLowerInvariant(),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
