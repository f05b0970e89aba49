// RFC 4180 CSV: CRLF line ends, a header row, and fields quoted when they hold a comma, quote, CR or LF. Each row is
// written as it arrives. A text cell that begins with = + - @, a tab or a carriage return would run as a formula in a
// spreadsheet (=HYPERLINK(...) from a DNS name), so it gets a leading single quote, as OWASP advises; numbers stay
// numbers, and --csv-raw turns this off for pipelines. CSV printed to a terminal also passes through DisplayText.
namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as RFC 4180 CSV.</summary>
/// <param name="output">Where the CSV goes.</param>
/// <param name="outputIsTerminal">Escape control and bidi characters (DisplayText), as for any text shown to a person.</param>
/// <param name="raw">Write text cells exactly as stored: no formula neutralising (--csv-raw).</param>
public sealed class CsvResultWriter(TextWriter output, bool outputIsTerminal = false, bool raw = false) : IResultWriter
{
    /// <inheritdoc/>
    public void Begin(IReadOnlyList<string> columns) => WriteRecord(columns.Select(c => Cell(c)));

    /// <inheritdoc/>
    public void Row(object?[] values) => WriteRecord(values.Select(v => v is string s ? Cell(s) : ResultWriters.CellText(v)));

    /// <inheritdoc/>
    public void End() => output.Flush();

    private string Cell(string text)
    {
        if (!raw) text = NeutraliseFormula(text);
        return outputIsTerminal ? DisplayText.Escape(text) : text;
    }

    private void WriteRecord(IEnumerable<string> fields)
    {
        output.Write(string.Join(',', fields.Select(Escape)));
        output.Write("\r\n");
    }

    /// <summary>A leading single quote for text a spreadsheet would read as a formula (OWASP CSV injection).</summary>
    public static string NeutraliseFormula(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    /// <summary>Quotes a field when RFC 4180 requires it, doubling inner quotes.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
