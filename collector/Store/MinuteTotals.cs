// Packets and bytes of one stream in one minute: a packet_minute row's counters, and how an upsert adds them.
namespace MonitorNetwork.Collector.Store;

/// <summary>Counters of a packet_minute row, accumulated in memory before the batch's upsert.</summary>
internal struct MinuteTotals
{
    public long PacketsIn, BytesIn, PacketsOut, BytesOut;

    /// <summary>
    /// The SET clause of an upsert into a table of these four counters (the minute and usage rollups): the row's
    /// counters plus the inserted ones.
    /// </summary>
    public const string AddExcluded = "packets_in = packets_in + excluded.packets_in, bytes_in = bytes_in + excluded.bytes_in, " +
        "packets_out = packets_out + excluded.packets_out, bytes_out = bytes_out + excluded.bytes_out";

    public readonly bool IsEmpty => PacketsIn == 0 && BytesIn == 0 && PacketsOut == 0 && BytesOut == 0;

    /// <summary>Both counts together.</summary>
    public static MinuteTotals operator +(MinuteTotals a, MinuteTotals b) => new()
    {
        PacketsIn = a.PacketsIn + b.PacketsIn, BytesIn = a.BytesIn + b.BytesIn,
        PacketsOut = a.PacketsOut + b.PacketsOut, BytesOut = a.BytesOut + b.BytesOut,
    };
}
