// Packets and bytes of one stream in one minute: a packet_minute row's counters.
namespace MonitorNetwork.Collector.Store;

/// <summary>Counters of a packet_minute row, accumulated in memory before the batch's upsert.</summary>
internal struct MinuteTotals
{
    public long PacketsIn, BytesIn, PacketsOut, BytesOut;

    public readonly bool IsEmpty => PacketsIn == 0 && BytesIn == 0 && PacketsOut == 0 && BytesOut == 0;

    /// <summary>Both counts together.</summary>
    public static MinuteTotals operator +(MinuteTotals a, MinuteTotals b) => new()
    {
        PacketsIn = a.PacketsIn + b.PacketsIn, BytesIn = a.BytesIn + b.BytesIn,
        PacketsOut = a.PacketsOut + b.PacketsOut, BytesOut = a.BytesOut + b.BytesOut,
    };
}
