// The orders the live view offers, cycled with the s key.
namespace MonitorNetwork.Collector.Top;

/// <summary>How rows are ranked.</summary>
public enum TopSort
{
    /// <summary>Bytes in plus out, the default.</summary>
    Total,

    /// <summary>Bytes received.</summary>
    In,

    /// <summary>Bytes sent.</summary>
    Out,

    /// <summary>Packets either way.</summary>
    Packets,

    /// <summary>Flows that moved bytes in the window.</summary>
    Flows,

    /// <summary>By name (program path, remote address), A to Z.</summary>
    Name,
}

/// <summary>Sorting helpers.</summary>
public static class TopSorting
{
    /// <summary>The busiest <paramref name="count"/> rows by <paramref name="sort"/>, ties by label.</summary>
    public static IReadOnlyList<TopRow> Rank(IEnumerable<TopRow> rows, TopSort sort, int count) => sort == TopSort.Name
        ? rows.OrderBy(r => r.Label, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Pid).Take(count).ToList()
        : rows
        .OrderByDescending(r => sort switch
        {
            TopSort.In => r.BytesIn,
            TopSort.Out => r.BytesOut,
            TopSort.Packets => r.Packets,
            TopSort.Flows => r.Flows,
            _ => r.BytesIn + r.BytesOut,
        })
        .ThenBy(r => r.Label, StringComparer.Ordinal)
        .Take(count)
        .ToList();

    /// <summary>The order a key asks for: b bytes (total), i in, o out, p packets, f flows, n name; null for another key.</summary>
    public static TopSort? ForKey(char key) => char.ToLowerInvariant(key) switch
    {
        'b' => TopSort.Total,
        'i' => TopSort.In,
        'o' => TopSort.Out,
        'p' => TopSort.Packets,
        'f' => TopSort.Flows,
        'n' => TopSort.Name,
        _ => null,
    };

    /// <summary>The next order after <paramref name="sort"/>.</summary>
    public static TopSort Next(TopSort sort) => (TopSort)(((int)sort + 1) % Enum.GetValues<TopSort>().Length);
}
