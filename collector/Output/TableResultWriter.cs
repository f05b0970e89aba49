// An aligned table (Spectre.Console): numbers right-aligned, NULL blank, no colour when not on a terminal.
using MonitorNetwork.Collector.Queries;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as a table.</summary>
public sealed class TableResultWriter(bool outputIsTerminal) : IResultWriter
{
    /// <inheritdoc/>
    public void Write(QueryResult result, TextWriter output)
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
        var numeric = new bool[result.Columns.Count];
        for (var i = 0; i < numeric.Length; i++)
            numeric[i] = result.Rows.Count > 0 && result.Rows.All(r => r[i] is null or long or int or double);
        for (var i = 0; i < result.Columns.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(result.Columns[i]));
            table.AddColumn(numeric[i] ? column.RightAligned() : column);
        }
        foreach (var row in result.Rows)
            table.AddRow(row.Select(v => (IRenderable)new Text(ResultWriters.CellText(v))).ToArray());
        console.Write(table);
        console.WriteLine($"{result.Rows.Count} row{(result.Rows.Count == 1 ? "" : "s")}");
    }
}
