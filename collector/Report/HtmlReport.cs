// Renders a report as one self-contained HTML page: inline CSS and SVG, no script, no font, image or link that
// leaves the file, so it opens offline in any browser and prints. Every value from the store is HTML-encoded with its
// control and bidi characters escaped (DisplayText), and bidi-isolated (<bdi>, or FSI...PDI inside SVG text): process
// paths and host names come from the monitored machine and any DNS server, and a right-to-left override or an Arabic
// or Hebrew name must not reorder the address printed beside it.
using System.Globalization;
using System.Net;
using System.Text;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Report;

/// <summary>Renders <see cref="ReportData"/> as HTML.</summary>
public static class HtmlReport
{
    private const string Style = """
        :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
        body { margin: 1.5rem auto; max-width: 64rem; padding: 0 1rem; color: #1b1f24; }
        h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
        .meta { color: #57606a; font-size: .9rem; } .meta dt { font-weight: 600; float: left; clear: left; width: 9rem; } .meta dd { margin-left: 9rem; }
        table { border-collapse: collapse; width: 100%; font-size: .85rem; } th, td { padding: .2rem .5rem; border-bottom: 1px solid #eaeef2; text-align: left; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } td { word-break: break-all; }
        svg { width: 100%; height: auto; } svg text { font-size: 11px; fill: #57606a; } svg .grid { stroke: #eaeef2; }
        polyline.in { stroke: #0969da; stroke-width: 1.5; } polyline.out { stroke: #bc4c00; stroke-width: 1.5; }
        rect.in, .in rect { fill: #0969da; } rect.out, .out rect { fill: #bc4c00; }
        .stack0 { fill: #0969da; } .stack1 { fill: #bc4c00; } .stack2 { fill: #1a7f37; } .stack3 { fill: #8250df; } .stack4 { fill: #bf8700; } .stack5 { fill: #cf222e; } .stack6 { fill: #8c959f; }
        .empty { color: #57606a; font-style: italic; } .bad { color: #cf222e; font-weight: 600; }
        @media print { body { max-width: none; margin: 0; } section { break-inside: avoid; } h2 { break-after: avoid; } }
        """;

    /// <summary>The page.</summary>
    public static string Render(ReportData d)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        // Belt and braces for "nothing leaves the page": even a future edit that adds a URL is refused by the browser.
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append("<title>MonitorNetwork report</title><style>").Append(Style).Append("</style></head><body>");
        sb.Append("<h1>MonitorNetwork report</h1><dl class=\"meta\">");
        Meta(sb, "store", d.DatabasePath, fromData: true);
        Meta(sb, "window", $"{Time(d.SinceUs)} to {(d.UntilUs >= ParameterBinder.MaxTimeUs ? "the last event" : Time(d.UntilUs))}");
        if (d.WindowNote is { } note) Meta(sb, "note", note);
        Meta(sb, "store holds", d.StoreFirstUs is { } f && d.StoreLastUs is { } l ? $"{Time(f)} to {Time(l)}" : "no events");
        Meta(sb, "parameters", Inv($"since={Time(d.SinceUs)} until={Time(d.UntilUs)} bucket={d.BucketSeconds}s top={d.Top}"));
        Meta(sb, "generated", Time(d.GeneratedUs));
        sb.Append("</dl>");

        Section(sb, "traffic", "Traffic over time", Inv($"Payload bytes per {(d.BucketSeconds % 60 == 0 ? $"{d.BucketSeconds / 60}-minute" : $"{d.BucketSeconds}-second")} bucket (query timeline, bucket={d.BucketSeconds})."), () =>
            d.Timeline.Count == 0 ? null : SvgChart.Lines("Traffic over time",
                d.Timeline.Select(p => ShortTime(p.StartUs, d.BucketSeconds)).ToList(),
                [new ChartSeries("bytes in", "in", d.Timeline.Select(p => (double)p.BytesIn).ToList()),
                 new ChartSeries("bytes out", "out", d.Timeline.Select(p => (double)p.BytesOut).ToList())],
                Bytes));
        Section(sb, "usage", "Usage per program", Inv($"Bytes received plus sent per program per {(d.Usage.BucketSeconds % 3600 == 0 ? $"{d.Usage.BucketSeconds / 3600}-hour" : $"{d.Usage.BucketSeconds / 60}-minute")} bucket, stacked, the busiest {ReportBuilder.UsagePrograms} apart (query usage for days, weeks and months)."), () =>
            d.Usage.Programs.Count == 0 ? null : SvgChart.StackedArea("Usage per program",
                d.Usage.Buckets.Select(b => ShortTime(b, d.Usage.BucketSeconds)).ToList(),
                [.. d.Usage.Programs.Select((p, i) => new ChartSeries(SvgChart.Isolate(p.Program), "stack" + i, p.Bytes.Select(v => (double)v).ToList()))],
                Bytes));
        RankedSection(sb, "top-processes", "Top processes", d.TopProcesses, "process_path", "pid");
        RankedSection(sb, "top-remotes", "Top remotes", d.TopRemotes, "remote_host", "remote_address");
        Section(sb, "new-remotes", "New remotes", "Remote addresses first seen in the window, newest first (query new-remotes).", () => null, d.NewRemotes);
        Section(sb, "listeners", "Listeners", "Inbound flows by local port, protocol and process (query listeners).", () => null, d.Listeners);
        var lossy = d.Loss.Rows.Any(r => Num(d.Loss, r, "dropped") + Num(d.Loss, r, "lost") + Num(d.Loss, r, "malformed") > 0);
        Section(sb, "loss", "Collector loss", lossy
            ? "<span class=\"bad\">Some runs dropped, lost or rejected events: the figures above have gaps.</span>"
            : "Every collector run that started in the window, with what it received and wrote; no run lost events (query loss).", () => null, d.Loss);
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void RankedSection(StringBuilder sb, string id, string title, QueryResult result, string preferredLabel, string fallbackLabel)
    {
        var labels = result.Rows.Select(r => Label(result, r, preferredLabel, fallbackLabel)).ToList();
        Section(sb, id, title, $"By bytes received plus sent (query {id}).", () => result.Rows.Count == 0 ? null : SvgChart.Bars(title, labels,
            [new ChartSeries("bytes in", "in", result.Rows.Select(r => (double)Num(result, r, "bytes_in")).ToList()),
             new ChartSeries("bytes out", "out", result.Rows.Select(r => (double)Num(result, r, "bytes_out")).ToList())], Bytes), result);
    }

    /// <summary>A bar's label: each value from the data escaped and isolated, so none can reorder the other.</summary>
    private static string Label(QueryResult result, object?[] row, string preferred, string fallback)
    {
        var p = Value(result, row, preferred);
        var f = Value(result, row, fallback);
        if (p is { Length: > 0 }) return preferred == "remote_host" ? $"{SvgChart.Isolate(p)} ({SvgChart.Isolate(f)})" : SvgChart.Isolate(p);
        if (fallback == "pid") return ProgramLabel.Of(null, long.TryParse(f, CultureInfo.InvariantCulture, out var pid) ? pid : null);
        return f is { Length: > 0 } ? SvgChart.Isolate(f) : "(unknown)";
    }

    private static void Section(StringBuilder sb, string id, string title, string lead, Func<string?> chart, QueryResult? table = null)
    {
        sb.Append("<section id=\"").Append(id).Append("\"><h2>").Append(Esc(title)).Append("</h2><p class=\"meta\">").Append(lead).Append("</p>");
        var svg = chart();
        if (svg is not null) sb.Append(svg);
        if (table is not null) Table(sb, table);
        else if (svg is null) sb.Append("<p class=\"empty\">No traffic in this window.</p>");
        sb.Append("</section>");
    }

    private static void Table(StringBuilder sb, QueryResult result)
    {
        if (result.Rows.Count == 0)
        {
            sb.Append("<p class=\"empty\">None in this window.</p>");
            return;
        }
        var numeric = Enumerable.Range(0, result.Columns.Count).Select(i => result.Rows.All(r => r[i] is null or long or double)).ToArray();
        sb.Append("<table><thead><tr>");
        for (var i = 0; i < result.Columns.Count; i++) sb.Append(numeric[i] ? "<th class=\"n\">" : "<th>").Append(Esc(result.Columns[i])).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in result.Rows)
        {
            sb.Append("<tr>");
            for (var i = 0; i < row.Length; i++)
            {
                if (numeric[i]) sb.Append("<td class=\"n\">").Append(Esc(Cell(row[i], result.Columns[i]))).Append("</td>");
                else sb.Append("<td><bdi>").Append(Esc(Cell(row[i], result.Columns[i]))).Append("</bdi></td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }

    private static string Cell(object? value, string column) => value switch
    {
        null => "",
        long n when column.StartsWith("bytes", StringComparison.Ordinal) => Bytes(n),
        // Identifiers (pid, first_pid, local_port, session_id, flow_id) are numbers no one adds up: no separators.
        long n when column is "pid" || column.EndsWith("_pid", StringComparison.Ordinal) || column.EndsWith("port", StringComparison.Ordinal)
                    || column.EndsWith("_id", StringComparison.Ordinal) => n.ToString(CultureInfo.InvariantCulture),
        long n => n.ToString("N0", CultureInfo.InvariantCulture),
        double x => x.ToString("G6", CultureInfo.InvariantCulture),
        byte[] b => Convert.ToHexString(b),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Bytes(double n) => ByteUnits.Format(n);

    private static long Num(QueryResult result, object?[] row, string column)
    {
        var i = IndexOf(result, column);
        return i < 0 || row[i] is null ? 0 : System.Convert.ToInt64(row[i], CultureInfo.InvariantCulture);
    }

    private static string? Value(QueryResult result, object?[] row, string column)
    {
        var i = IndexOf(result, column);
        return i < 0 ? null : System.Convert.ToString(row[i], CultureInfo.InvariantCulture);
    }

    private static int IndexOf(QueryResult result, string column) => result.Columns.ToList().IndexOf(column);

    private static void Meta(StringBuilder sb, string name, string value, bool fromData = false) =>
        sb.Append("<dt>").Append(Esc(name)).Append("</dt><dd>").Append(fromData ? "<bdi>" : "").Append(Esc(value)).Append(fromData ? "</bdi>" : "").Append("</dd>");

    private static string Time(long us) => us >= ParameterBinder.MaxTimeUs ? "max"
        : Events.UnixMicros.Format(us);

    private static string ShortTime(long us, long bucketSeconds) =>
        Events.UnixMicros.Format(us, bucketSeconds < 60 ? "HH:mm:ss" : "MM-dd HH:mm");

    private static string Esc(string text) => WebUtility.HtmlEncode(DisplayText.Escape(text));

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
