// Charts as inline SVG, written here rather than by a plotting library: the report must open offline with no script
// and no native renderer (ScottPlot draws through SkiaSharp's native library, and its SVG is opaque paths), and every
// series is an element a test or a reader can find by name (data-series) and count (data-points).
using System.Globalization;
using System.Net;
using System.Text;

namespace MonitorNetwork.Collector.Report;

/// <summary>One named series of a chart.</summary>
/// <param name="Name">The series' name, shown in the legend and written as data-series.</param>
/// <param name="CssClass">The class that colours it.</param>
/// <param name="Values">One value per point.</param>
public sealed record ChartSeries(string Name, string CssClass, IReadOnlyList<double> Values);

/// <summary>Renders line and bar charts as SVG markup.</summary>
public static class SvgChart
{
    private const int Width = 960, Height = 260, Left = 70, Right = 10, Top = 10, Bottom = 40;

    /// <summary>
    /// A line per series over evenly spaced times; <paramref name="labels"/> names each point (x axis), and a handful of
    /// them are printed. Values are formatted for the y axis by <paramref name="format"/>.
    /// </summary>
    public static string Lines(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, Func<double, string> format)
    {
        var sb = Open(title, "line-chart");
        var points = labels.Count;
        var max = Nice(series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        YAxis(sb, max, format);
        double X(int i) => Left + (points <= 1 ? 0 : (Width - Left - Right) * (double)i / (points - 1));
        double Y(double v) => Top + (Height - Top - Bottom) * (1 - v / max);
        var step = Math.Max(1, (points + 5) / 6);
        for (var i = 0; i < points; i += step)
            sb.Append(Inv($"<text class=\"axis\" x=\"{X(i):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Esc(labels[i])}</text>"));
        foreach (var s in series)
        {
            sb.Append(Inv($"<polyline class=\"{s.CssClass}\" data-series=\"{Esc(s.Name)}\" data-points=\"{s.Values.Count}\" fill=\"none\" points=\""));
            for (var i = 0; i < s.Values.Count; i++) sb.Append(Inv($"{(i > 0 ? " " : "")}{X(i):F1},{Y(s.Values[i]):F1}"));
            sb.Append("\"/>");
        }
        Legend(sb, series);
        return sb.Append("</svg>").ToString();
    }

    /// <summary>
    /// Series stacked on each other as filled areas over evenly spaced times, the first at the bottom: the top edge is
    /// the total. A single point is drawn as a bar-wide step, so one bucket still shows.
    /// </summary>
    public static string StackedArea(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, Func<double, string> format)
    {
        // The legend (three names a row) goes below the time axis, in height of its own.
        var legendRows = (series.Count + 2) / 3;
        var sb = new StringBuilder(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"area-chart\" role=\"img\" viewBox=\"0 0 {Width} {Height + 16 * legendRows}\" aria-label=\"{Esc(title)}\"><title>{Esc(title)}</title>"));
        var points = labels.Count;
        var totals = Enumerable.Range(0, points).Select(i => series.Sum(s => s.Values[i])).ToList();
        var max = Nice(totals.DefaultIfEmpty(0).Max());
        YAxis(sb, max, format);
        // With one point, the area spans the plot from edge to edge.
        double X(int i) => Left + (points <= 1 ? (Width - Left - Right) * i : (Width - Left - Right) * (double)i / (points - 1));
        double Y(double v) => Top + (Height - Top - Bottom) * (1 - v / max);
        var xs = points <= 1 ? new[] { 0, 1 } : Enumerable.Range(0, points).ToArray();
        var step = Math.Max(1, (points + 5) / 6);
        for (var i = 0; i < points; i += step)
            sb.Append(Inv($"<text class=\"axis\" x=\"{X(i):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Esc(labels[i])}</text>"));
        var below = new double[points];
        foreach (var s in series)
        {
            var above = below.Zip(s.Values, (b, v) => b + v).ToArray();
            double At(double[] values, int x) => values[Math.Min(x, points - 1)];
            sb.Append(Inv($"<polygon class=\"{s.CssClass}\" data-series=\"{Esc(s.Name)}\" data-points=\"{s.Values.Count}\" points=\""));
            sb.Append(string.Join(' ', xs.Select(x => Inv($"{X(x):F1},{Y(At(above, x)):F1}"))));
            sb.Append(' ').Append(string.Join(' ', xs.Reverse().Select(x => Inv($"{X(x):F1},{Y(At(below, x)):F1}"))));
            sb.Append(Inv($"\"><title>{Esc(s.Name)}: {Esc(format(s.Values.Sum()))}</title></polygon>"));
            below = above;
        }
        for (var k = 0; k < series.Count; k++)
        {
            var y = Height + 2 + 16 * (k / 3);
            sb.Append(Inv($"<rect class=\"{series[k].CssClass}\" x=\"{Left + k % 3 * 290}\" y=\"{y - 9}\" width=\"10\" height=\"10\"/><text class=\"axis\" x=\"{Left + k % 3 * 290 + 14}\" y=\"{y}\">{Esc(Shorten(series[k].Name))}</text>"));
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Horizontal bars, one group per label, one bar per series.</summary>
    public static string Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, Func<double, string> format)
    {
        const int barHeight = 9, labelWidth = 330;
        var groupHeight = barHeight * series.Count + 6;
        var height = Top + groupHeight * Math.Max(1, labels.Count) + 24;
        var max = Nice(series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var plotWidth = Width - labelWidth - 90;
        var sb = new StringBuilder(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" role=\"img\" viewBox=\"0 0 {Width} {height}\" aria-label=\"{Esc(title)}\"><title>{Esc(title)}</title>"));
        for (var g = 0; g < labels.Count; g++)
        {
            var y = Top + g * groupHeight;
            var label = Shorten(labels[g]);
            sb.Append(Inv($"<text class=\"label\" x=\"{labelWidth - 6}\" y=\"{y + barHeight * series.Count / 2.0 + 4:F1}\" text-anchor=\"end\"><title>{Esc(labels[g])}</title>{Esc(label)}</text>"));
        }
        for (var k = 0; k < series.Count; k++)
        {
            var s = series[k];
            sb.Append(Inv($"<g class=\"{s.CssClass}\" data-series=\"{Esc(s.Name)}\" data-points=\"{s.Values.Count}\">"));
            for (var g = 0; g < s.Values.Count; g++)
            {
                var w = plotWidth * s.Values[g] / max;
                var y = Top + g * groupHeight + k * barHeight;
                sb.Append(Inv($"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barHeight - 1}\"><title>{Esc(s.Name)}: {Esc(format(s.Values[g]))}</title></rect>"));
                sb.Append(Inv($"<text class=\"value\" x=\"{labelWidth + w + 4:F1}\" y=\"{y + barHeight - 1}\">{Esc(format(s.Values[g]))}</text>"));
            }
            sb.Append("</g>");
        }
        var legendY = height - 8;
        for (var k = 0; k < series.Count; k++)
            sb.Append(Inv($"<rect class=\"{series[k].CssClass}\" x=\"{labelWidth + k * 110}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\"/><text class=\"axis\" x=\"{labelWidth + k * 110 + 14}\" y=\"{legendY}\">{Esc(series[k].Name)}</text>"));
        return sb.Append("</svg>").ToString();
    }

    /// <summary>At most 48 characters, cut at the front ("…" + the end): isolates cut open are closed again.</summary>
    private static string Shorten(string label)
    {
        if (label.Length <= 48) return label;
        var tail = label[^47..];
        var opens = tail.Count(c => c == '\u2068');
        var closes = tail.Count(c => c == '\u2069');
        // The cut removed the opener of an isolate whose closer is kept: open it again at the start.
        return "…" + new string('\u2068', Math.Max(0, closes - opens)) + tail;
    }

    private static StringBuilder Open(string title, string cssClass) =>
        new(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{cssClass}\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" aria-label=\"{Esc(title)}\"><title>{Esc(title)}</title>"));

    private static void YAxis(StringBuilder sb, double max, Func<double, string> format)
    {
        for (var k = 0; k <= 4; k++)
        {
            var v = max * k / 4;
            var y = Top + (Height - Top - Bottom) * (1 - (double)k / 4);
            sb.Append(Inv($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:F1}\" y2=\"{y:F1}\"/>"));
            sb.Append(Inv($"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{Esc(format(v))}</text>"));
        }
    }

    private static void Legend(StringBuilder sb, IReadOnlyList<ChartSeries> series)
    {
        for (var k = 0; k < series.Count; k++)
            sb.Append(Inv($"<rect class=\"{series[k].CssClass}\" x=\"{Left + k * 110}\" y=\"{Height - 14}\" width=\"10\" height=\"10\"/><text class=\"axis\" x=\"{Left + k * 110 + 14}\" y=\"{Height - 5}\">{Esc(series[k].Name)}</text>"));
    }

    /// <summary>A round axis maximum at or above <paramref name="max"/> (1, 2 or 5 times a power of ten); 1 for an empty chart.</summary>
    internal static double Nice(double max)
    {
        if (max <= 0 || double.IsNaN(max)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var m in new[] { 1.0, 2, 5, 10 })
            if (m * power >= max) return m * power;
        return 10 * power;
    }

    private static string Esc(string text) => WebUtility.HtmlEncode(text);

    /// <summary>
    /// A value from the data for a label: its control and bidi characters escaped (DisplayText), then wrapped in
    /// FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, the plain-text form of &lt;bdi&gt; that SVG text honours, so
    /// right-to-left text stays inside its own run. The escaping means the data cannot close the isolate early.
    /// </summary>
    public static string Isolate(string? text) => "\u2068" + Output.DisplayText.Escape(text) + "\u2069";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
