// An aligned table (Spectre.Console): numbers right-aligned, NULL blank, no colour when not on a terminal. A table
// must be measured before it is drawn, so it keeps at most a cap of rows (1,000 by default) and only counts the
// rest, then says how many it left out. Control and bidi characters in cells (an ESC in a DNS name could drive the
// terminal) are shown escaped by the one rule of DisplayText, never sent.
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as a table.</summary>
public sealed class TableResultWriter(TextWriter output, bool outputIsTerminal, int maxRows = ResultWriters.DefaultTableRows) : IResultWriter
{
    private readonly List<object?[]> _rows = [];
    private IReadOnlyList<string> _columns = [];
    private long _omitted;

    /// <inheritdoc/>
    public void Begin(IReadOnlyList<string> columns) => _columns = columns;

    /// <inheritdoc/>
    public void Row(object?[] values)
    {
        if (_rows.Count < maxRows) _rows.Add((object?[])values.Clone());
        else _omitted++;
    }

    /// <inheritdoc/>
    public void End()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = outputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = outputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Piped output has no width; let the table be as wide as its content instead of wrapping at 80.
        if (!outputIsTerminal) console.Profile.Width = 4096;
        var table = new Table().Border(outputIsTerminal ? TableBorder.Rounded : TableBorder.Ascii2);
        var numeric = new bool[_columns.Count];
        for (var i = 0; i < numeric.Length; i++)
            numeric[i] = _rows.Count > 0 && _rows.All(r => r[i] is null or long or int or double);
        for (var i = 0; i < _columns.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(DisplayText.Escape(_columns[i])));
            table.AddColumn(numeric[i] ? column.RightAligned() : column);
        }
        foreach (var row in _rows)
            table.AddRow(row.Select(v => (IRenderable)new Text(DisplayText.Escape(ResultWriters.CellText(v)))).ToArray());
        console.Write(table);
        var total = _rows.Count + _omitted;
        console.WriteLine(_omitted == 0
            ? $"{total} row{(total == 1 ? "" : "s")}"
            : $"{total} rows; the first {_rows.Count} shown, {_omitted} left out (--max-rows N, or --format csv|json for all)");
    }
}
