// The one rule for showing text that came from outside (DNS names, CNAMEs, process paths, file names, SQL results)
// to a person, after Zeek's log writers: every character that could drive a terminal or reorder what is shown
// around it is written as a visible escape instead. Tables, top, stats, service status, error lines, CSV printed to
// a terminal and the HTML report's labels all pass through it. The store keeps the raw value, and JSON output stays
// exact (JSON's own escaping).
using System.Globalization;
using System.Text;

namespace MonitorNetwork.Collector.Output;

/// <summary>Escapes control and bidi characters for display.</summary>
public static class DisplayText
{
    /// <summary>
    /// True for a character that is never shown as is: C0 controls but tab and newline, DEL, C1 controls, the bidi
    /// embeddings, overrides, isolates and marks (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069), and the
    /// line and paragraph separators U+2028 and U+2029.
    /// </summary>
    public static bool IsUnsafe(char c) => c switch
    {
        '\t' or '\n' => false,
        < '\u0020' => true,
        >= '\u007f' and <= '\u009f' => true,
        '\u061c' or '\u200e' or '\u200f' or '\u2028' or '\u2029' => true,
        >= '\u202a' and <= '\u202e' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };

    /// <summary>
    /// <paramref name="text"/> with each unsafe character written as an escape: <c>\x1b</c> for C0 controls and DEL,
    /// <c>\u202e</c> for the rest. Text without one is returned as is.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var first = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i])) { first = i; break; }
        }
        if (first < 0) return text;
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsUnsafe(c)) sb.Append(c);
            else if (c <= '\u007f') sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary><see cref="Escape"/>, and newlines and tabs too: for one-line messages (errors, headers).</summary>
    public static string OneLine(string? text) => Escape(text).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
