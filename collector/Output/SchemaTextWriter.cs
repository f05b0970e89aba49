// `query --sql .schema`: the CREATE statements as the sqlite3 shell prints them, one statement after another with
// their own line breaks, each line's control and bidi characters escaped (DisplayText).
namespace MonitorNetwork.Collector.Output;

/// <summary>Writes a one-column result as text lines.</summary>
public sealed class SchemaTextWriter(TextWriter output) : IResultWriter
{
    /// <inheritdoc/>
    public void Begin(IReadOnlyList<string> columns) { }

    /// <inheritdoc/>
    public void Row(object?[] values)
    {
        foreach (var line in (values[0] as string ?? "").Split('\n')) output.WriteLine(DisplayText.OneLine(line.TrimEnd('\r')));
    }

    /// <inheritdoc/>
    public void End() { }
}
