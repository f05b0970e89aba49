// A loss total a transport reports again and again (ETW's session counters, EventPipe's): kept as the largest
// answer seen, since a late or stale answer must never make a recorded loss smaller.
namespace MonitorNetwork.Collector.Pipeline;

/// <summary>Raises a shared total to a newly reported one, atomically; never lowers it.</summary>
public static class RunningTotal
{
    /// <summary>Sets <paramref name="field"/> to <paramref name="total"/> when that is larger.</summary>
    public static void RaiseTo(ref long field, long total)
    {
        long seen;
        while (total > (seen = Interlocked.Read(ref field)) && Interlocked.CompareExchange(ref field, total, seen) != seen) { }
    }
}
