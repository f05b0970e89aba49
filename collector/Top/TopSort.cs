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
}

/// <summary>Sorting helpers.</summary>
public static class TopSorting
{
    /// <summary>The busiest <paramref name="count"/> rows by <paramref name="sort"/>, ties by label.</summary>
    public static IReadOnlyList<TopRow> Rank(IEnumerable<TopRow> rows, TopSort sort, int count) => rows
        .OrderByDescending(r => sort switch
        {
            TopSort.In => r.BytesIn,
            TopSort.Out => r.BytesOut,
            TopSort.Packets => r.Packets,
            _ => r.BytesIn + r.BytesOut,
        })
        .ThenBy(r => r.Label, StringComparer.Ordinal)
        .Take(count)
        .ToList();

    /// <summary>The next order after <paramref name="sort"/>.</summary>
    public static TopSort Next(TopSort sort) => (TopSort)(((int)sort + 1) % Enum.GetValues<TopSort>().Length);
}
