// A flow's four counters, cumulative since it began, and what changed between two records of them.
namespace MonitorNetwork.Collector.Store;

/// <summary>Packets and bytes in each direction, cumulative since the flow began (FlowStats, FlowDeleted).</summary>
internal readonly record struct FlowCounters(long PacketsIn, long BytesIn, long PacketsOut, long BytesOut)
{
    /// <summary>
    /// The increase from <paramref name="previous"/> to this record. Counters only grow within a flow; when one went
    /// back, the FlowId was reused (a driver reload) and this record is a new flow's whole count.
    /// </summary>
    public MinuteTotals IncreaseSince(FlowCounters previous)
    {
        var from = WentBackFrom(previous) ? default : previous;
        return new MinuteTotals
        {
            PacketsIn = PacketsIn - from.PacketsIn, BytesIn = BytesIn - from.BytesIn,
            PacketsOut = PacketsOut - from.PacketsOut, BytesOut = BytesOut - from.BytesOut,
        };
    }

    /// <summary>Whether any counter is below <paramref name="previous"/>'s: a new segment, counted from zero.</summary>
    public bool WentBackFrom(FlowCounters previous) =>
        PacketsIn < previous.PacketsIn || BytesIn < previous.BytesIn || PacketsOut < previous.PacketsOut || BytesOut < previous.BytesOut;
}
