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
    /// <summary>The whole screen: a header line, processes, remotes, and the keys.</summary>
    public static IRenderable Render(TopSnapshot snapshot, TopSort sort, int rows, string databasePath, DateTimeOffset now)
    {
        // The view shows the newest data, not the wall clock: say so when that data is old (a stopped collector,
        // an imported recording), so nobody mistakes yesterday's minute for now.
        var ageSeconds = (SessionStore.ToUnixUs(now) - snapshot.WindowEndUs) / 1e6;
        var stale = ageSeconds > StaleAfterSeconds ? $"  [yellow]newest data is {Age(ageSeconds)} old[/]" : "";
        var header = snapshot.Processes.Count == 0
            ? new Markup($"[bold]monitornetwork top[/]  {Markup.Escape(DisplayText.OneLine(databasePath))}  [grey]no traffic in the store yet[/]")
            : new Markup($"[bold]monitornetwork top[/]  {Markup.Escape(DisplayText.OneLine(databasePath))}  [grey]{Time(snapshot.WindowStartUs)} to {Time(snapshot.WindowEndUs)} ({snapshot.Seconds:F0} s), sorted by {sort.ToString().ToLowerInvariant()}[/]{stale}");
        return new Rows(
            header,
            Table("process", "pid", TopSorting.Rank(snapshot.Processes, sort, rows), snapshot.Seconds),
            Table("remote", null, TopSorting.Rank(snapshot.Remotes, sort, rows), snapshot.Seconds),
            new Markup("[grey]q[/] quit  [grey]s[/] sort: total, in, out, packets"));
    }

    private static Table Table(string what, string? idColumn, IReadOnlyList<TopRow> rows, double seconds)
    {
        var table = new Table().Border(TableBorder.Simple).Expand();
        if (idColumn is not null) table.AddColumn(new TableColumn(idColumn).RightAligned());
        table.AddColumn(what);
        foreach (var name in new[] { "in/s", "out/s", "packets/s" }) table.AddColumn(new TableColumn(name).RightAligned());
        foreach (var r in rows)
        {
            var cells = new List<string>();
            if (idColumn is not null) cells.Add(r.Pid?.ToString(CultureInfo.InvariantCulture) ?? "");
            cells.Add(Markup.Escape(DisplayText.OneLine(idColumn is null && r.Label.Length == 0 ? "(unknown)" : idColumn is null ? r.Label : ProgramLabel.Of(r.Label, r.Pid))));
            cells.Add(ByteUnits.Format(r.BytesIn / seconds));
            cells.Add(ByteUnits.Format(r.BytesOut / seconds));
            cells.Add((r.Packets / seconds).ToString("F1", CultureInfo.InvariantCulture));
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
        DateTime.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
