// RFC 4180 CSV: CRLF line ends, a header row, and fields quoted when they hold a comma, quote, CR or LF.
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as RFC 4180 CSV.</summary>
public sealed class CsvResultWriter : IResultWriter
{
    /// <inheritdoc/>
    public void Write(QueryResult result, TextWriter output)
    {
        WriteRecord(output, result.Columns);
        foreach (var row in result.Rows) WriteRecord(output, row.Select(ResultWriters.CellText));
    }

    private static void WriteRecord(TextWriter output, IEnumerable<string> fields)
    {
        output.Write(string.Join(',', fields.Select(Escape)));
        output.Write("\r\n");
    }

    /// <summary>Quotes a field when RFC 4180 requires it, doubling inner quotes.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
