// Renders a snapshot as two Spectre.Console tables, rates per second over the window.
using System.Globalization;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Store;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MonitorNetwork.Collector.Top;

/// <summary>Builds the live view's renderable.</summary>
public static class TopView
{
    /// <summary>Lines a table takes besides its rows: top border, header, rule, bottom border.</summary>
    private const int TableChrome = 4;

    /// <summary>
    /// Rows per table that fit <paramref name="height"/> lines with the header and keys lines (so the header is never
    /// scrolled off an 80x24 terminal): at most <paramref name="requested"/>, at least one.
    /// </summary>
    public static int RowsThatFit(int height, int requested) => Math.Clamp((height - 2 - 2 * TableChrome) / 2, 1, requested);

    /// <summary>The view's state the keys change.</summary>
    /// <param name="Filter">Only processes whose path or pid contains this (any case); empty for all.</param>
    /// <param name="Paused">Refreshing stopped.</param>
    /// <param name="Help">The help panel instead of the tables.</param>
    /// <param name="Typing">The filter being typed (after /), or null.</param>
    public sealed record ViewState(string Filter = "", bool Paused = false, bool Help = false, string? Typing = null);

    /// <summary>The keys, as the help panel and the last line list them.</summary>
    public const string KeysLine = "q quit  b/i/o/p/f/n sort  / filter  space pause  ? help";

    /// <summary>The whole screen: a header line, processes, remotes, and the keys.</summary>
    public static IRenderable Render(TopSnapshot snapshot, TopSort sort, int rows, string databasePath, DateTimeOffset now, ViewState? state = null, int width = 120)
    {
        state ??= new ViewState();
        // The view shows the newest data, not the wall clock: say so when that data is old (a stopped collector,
        // an imported recording), so nobody mistakes yesterday's minute for now.
        var ageSeconds = (Events.UnixMicros.From(now) - snapshot.WindowEndUs) / 1e6;
        var status = snapshot.Processes.Count == 0 ? "no traffic in the store yet"
            : $"{Time(snapshot.WindowStartUs)} +{snapshot.Seconds:F0} s, by {sort.ToString().ToLowerInvariant()}"
              + (state.Filter.Length > 0 ? $", filter '{state.Filter}'" : "") + (state.Paused ? ", paused" : "");
        var stale = snapshot.Processes.Count > 0 && ageSeconds > StaleAfterSeconds ? $"  newest data is {Age(ageSeconds)} old" : "";
        // One line, whatever the width: the store's path goes first when the line is too long.
        var head = $"monitornetwork top  {DisplayText.OneLine(databasePath)}  ";
        if (head.Length + status.Length + stale.Length > width) head = "monitornetwork top  ";
        var header = new Markup($"[bold]{Markup.Escape(head.TrimEnd())}[/]  [grey]{Markup.Escape(status)}[/][yellow]{Markup.Escape(stale)}[/]");
        var keys = state.Typing is { } typing
            ? new Markup($"filter processes: {Markup.Escape(DisplayText.OneLine(typing))}_  [grey](Enter applies, Esc cancels, empty clears)[/]")
            : new Markup($"[grey]{Markup.Escape(KeysLine)}[/]");
        if (state.Help)
            return new Rows(header, new Markup(Markup.Escape(
                "q or Ctrl+C  quit\nb  sort by bytes (in + out)\ni  sort by bytes in\no  sort by bytes out\np  sort by packets\nf  sort by flows\nn  sort by name\n" +
                "s  next sort order\n/  filter processes by part of their path or pid (Enter applies, Esc cancels, empty clears)\n" +
                "space  pause or resume refreshing\n?  this help, or back")), keys);
        var processes = snapshot.Processes.Where(p => state.Filter.Length == 0
            || ProgramLabel.Of(p.Label, p.Pid).Contains(state.Filter, StringComparison.OrdinalIgnoreCase)
            || p.Pid?.ToString(CultureInfo.InvariantCulture) == state.Filter);
        return new Rows(
            header,
            Table("process", "pid", TopSorting.Rank(processes, sort, rows), snapshot.Seconds, width),
            Table("remote", null, TopSorting.Rank(snapshot.Remotes, sort, rows), snapshot.Seconds, width),
            keys);
    }

    /// <summary>Characters a rate column takes ("1023.9 KiB" and padding), and the pid column.</summary>
    private const int RateWidth = 10, PidWidth = 7, FlowsWidth = 6;

    private static Table Table(string what, string? idColumn, IReadOnlyList<TopRow> rows, double seconds, int width)
    {
        var table = new Table().Border(TableBorder.Simple).Expand();
        if (idColumn is not null) table.AddColumn(new TableColumn(idColumn) { Width = PidWidth, NoWrap = true }.RightAligned());
        // A row is one line (the name is cut with an ellipsis), so the rows that fit are the rows shown: the name
        // gets what the numbers leave of the width.
        var columns = idColumn is null ? 5 : 6;
        var nameWidth = Math.Max(12, width - 3 * RateWidth - FlowsWidth - (idColumn is null ? 0 : PidWidth) - 3 * columns);
        table.AddColumn(new TableColumn(what) { Width = nameWidth, NoWrap = true });
        foreach (var name in new[] { "in/s", "out/s", "packets/s" }) table.AddColumn(new TableColumn(name) { Width = RateWidth, NoWrap = true }.RightAligned());
        table.AddColumn(new TableColumn("flows") { Width = FlowsWidth, NoWrap = true }.RightAligned());
        foreach (var r in rows)
        {
            var cells = new List<IRenderable>();
            if (idColumn is not null) cells.Add(new Text(r.Pid?.ToString(CultureInfo.InvariantCulture) ?? ""));
            var label = DisplayText.OneLine(idColumn is null && r.Label.Length == 0 ? "(unknown)" : idColumn is null ? r.Label : ProgramLabel.Of(r.Label, r.Pid));
            // Cut at the front, where a path is least telling: the program's own name stays.
            cells.Add(new Text(label.Length <= nameWidth ? label : "…" + label[^(nameWidth - 1)..]));
            cells.Add(new Text(ByteUnits.Format(r.BytesIn / seconds)));
            cells.Add(new Text(ByteUnits.Format(r.BytesOut / seconds)));
            cells.Add(new Text((r.Packets / seconds).ToString("F1", CultureInfo.InvariantCulture)));
            cells.Add(new Text(r.Flows.ToString(CultureInfo.InvariantCulture)));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>Data older than this is marked: two minutes, beyond a live collector's flush and ETW's latency.</summary>
    public const int StaleAfterSeconds = 120;

    private static string Age(double seconds) => seconds switch
    {
        < 3600 => $"{seconds / 60:F0} min",
        < 172_800 => $"{seconds / 3600:F1} h",
        _ => $"{seconds / 86400:F0} days",
    };

    private static string Time(long us) =>
        Events.UnixMicros.Format(us);
}
