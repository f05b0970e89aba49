// RFC 4180 CSV: CRLF line ends, a header row, and fields quoted when they hold a comma, quote, CR or LF. Each row is
// written as it arrives.
namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as RFC 4180 CSV.</summary>
public sealed class CsvResultWriter(TextWriter output) : IResultWriter
{
    /// <inheritdoc/>
    public void Begin(IReadOnlyList<string> columns) => WriteRecord(columns);

    /// <inheritdoc/>
    public void Row(object?[] values) => WriteRecord(values.Select(ResultWriters.CellText));

    /// <inheritdoc/>
    public void End() => output.Flush();

    private void WriteRecord(IEnumerable<string> fields)
    {
        output.Write(string.Join(',', fields.Select(Escape)));
        output.Write("\r\n");
    }

    /// <summary>Quotes a field when RFC 4180 requires it, doubling inner quotes.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
