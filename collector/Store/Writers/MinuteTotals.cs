// Packets and bytes of one stream in one minute: a packet_minute row's counters.
namespace MonitorNetwork.Collector.Store.Writers;

/// <summary>Counters of a packet_minute row, accumulated in memory before the batch's upsert.</summary>
internal struct MinuteTotals
{
    public long PacketsIn, BytesIn, PacketsOut, BytesOut;

    public readonly bool IsEmpty => PacketsIn == 0 && BytesIn == 0 && PacketsOut == 0 && BytesOut == 0;
}
