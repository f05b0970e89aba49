// Flow records from packets, by the driver's rule (schema/events.json, FlowStats; driver/src/mn_flow_stats.h):
// intervals aligned to the UTC clock; a flow's record is taken the first time a later interval is noticed for it:
// before the packet that noticed it is counted (even when quiet since its last record, to mark where the new
// packets begin), or by a sweep (here: the first event of a later interval) for a flow that moved and went quiet;
// and once more before its end if it moved.
// The Kernel-Network source uses it so that, without the driver, the store gets the same records; the golden test
// uses it to write the records a driver would have written for a traffic script.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Aggregates Packet events into FlowStats per flow and active interval. Not thread-safe.</summary>
public sealed class FlowRecordBuilder
{
    /// <summary>The builder's own quiet flows are forgotten after this many intervals (no end event comes for UDP).</summary>
    private const int ForgetAfterQuietIntervals = 5;

    /// <summary>The driver's active interval (MN_FLOW_STATS_INTERVAL_SECONDS).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);

    private readonly long _intervalUs;
    private readonly Dictionary<ulong, FlowState> _flows = new();
    private long _sweptInterval = long.MinValue;

    private sealed class FlowState(FlowIdentity identity, long interval, bool ownMaking = false)
    {
        public readonly FlowIdentity Identity = identity;
        public readonly bool OwnMaking = ownMaking; // a flow of flowless packets, which no FlowDeleted will end
        public long Interval = interval;   // the interval of the last record (or of the flow's start)
        public ulong PacketsIn, BytesIn, PacketsOut, BytesOut, ReportedPackets;
        public bool Moved => PacketsIn + PacketsOut != ReportedPackets;

        /// <summary>Takes the counts of the state its packets started before the flow's own event came.</summary>
        public void CountFrom(FlowState early)
        {
            (PacketsIn, BytesIn, PacketsOut, BytesOut) = (early.PacketsIn, early.BytesIn, early.PacketsOut, early.BytesOut);
            Interval = Math.Min(Interval, early.Interval);
        }
    }

    /// <param name="interval">The active interval; the driver's default is 60 s.</param>
    /// <param name="keepPackets">Pass Packet events on as well (packets were asked for), not only the records.</param>
    public FlowRecordBuilder(TimeSpan interval, bool keepPackets)
    {
        if (interval < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(interval), "the active interval is at least 1 s");
        _intervalUs = (long)interval.TotalMicroseconds;
        KeepPackets = keepPackets;
    }

    /// <summary>Whether Packet events are passed on.</summary>
    public bool KeepPackets { get; }

    /// <summary>Flows being counted.</summary>
    public int FlowsTracked => _flows.Count;

    /// <summary>
    /// Takes one event and appends what the store should get for it to <paramref name="output"/>, in order: records
    /// of quiet flows when a new interval began, then the event's own records and (unless it is a Packet that is not
    /// kept) the event.
    /// </summary>
    public void Add(MonitorEvent e, List<MonitorEvent> output)
    {
        var interval = IntervalOf(e.TimestampUs);
        if (interval > _sweptInterval)
        {
            if (_sweptInterval != long.MinValue) Sweep(e.TimestampUs, interval, output);
            _sweptInterval = interval;
        }
        switch (e)
        {
            case FlowEstablishedEvent f:
                var established = new FlowState(new FlowIdentity(f.ProcessId, f.Direction, f.Protocol, f.LocalAddress, f.LocalPort, f.RemoteAddress, f.RemotePort), interval);
                // A packet with the same time can come first: the driver would have counted it, so the flow keeps it
                // (found by bench busy: one packet a day moved to the flow's last minute).
                if (_flows.TryGetValue(f.FlowId, out var early)) established.CountFrom(early);
                _flows[f.FlowId] = established;
                output.Add(e);
                break;
            case PacketEvent p:
                var flowId = Count(p, interval, output);
                // A kept flowless packet carries its flow's id, so the store knows that flow has packets (bytes once).
                if (KeepPackets) output.Add(p.FlowId == flowId ? p : p with { FlowId = flowId });
                break;
            case FlowDeletedEvent d:
                End(d, output);
                break;
            default:
                output.Add(e);
                break;
        }
    }

    /// <summary>The source ended: a last record for every flow that moved since its previous one.</summary>
    public void Flush(long timestampUs, List<MonitorEvent> output)
    {
        foreach (var (flowId, flow) in _flows)
            if (flow.Moved) output.Add(Record(flowId, flow, timestampUs));
        _flows.Clear();
    }

    /// <summary>
    /// Packets with no flow (FlowId 0, e.g. Kernel-Network's UDP) count on a flow of their own endpoints, which the
    /// builder establishes at its first packet and forgets after a few quiet intervals (no end event exists for it).
    /// </summary>
    public static ulong FlowIdOf(PacketEvent p)
    {
        if (p.FlowId != 0) return p.FlowId;
        // FNV-1a over what identifies the exchange, with the top bit set so it never meets a TCP connection's id.
        var hash = 14695981039346656037UL;
        void Mix(ulong v)
        {
            for (var i = 0; i < 8; i++) { hash ^= (v >> (8 * i)) & 0xFF; hash *= 1099511628211UL; }
        }
        Mix(p.ProcessId); Mix(p.Protocol); Mix(p.LocalAddress.High); Mix(p.LocalAddress.Low); Mix(p.LocalPort);
        Mix(p.RemoteAddress.High); Mix(p.RemoteAddress.Low); Mix(p.RemotePort);
        return hash | 0x8000_0000_0000_0000UL;
    }

    private long IntervalOf(long timestampUs) => Math.DivRem(timestampUs, _intervalUs, out var r) - (r < 0 ? 1 : 0);

    /// <summary>Counts the packet on its flow (after that flow's record, when it noticed a new interval); the flow's id.</summary>
    private ulong Count(PacketEvent p, long interval, List<MonitorEvent> output)
    {
        var flowId = FlowIdOf(p);
        if (!_flows.TryGetValue(flowId, out var flow))
        {
            flow = new FlowState(new FlowIdentity(p.ProcessId, p.Direction, p.Protocol, p.LocalAddress, p.LocalPort, p.RemoteAddress, p.RemotePort), interval,
                ownMaking: p.FlowId == 0);
            _flows[flowId] = flow;
            // A flow of the builder's own making begins here; a flow with an id of its own began before we saw it.
            if (p.FlowId == 0)
                output.Add(new FlowEstablishedEvent(p.TimestampUs, flowId, p.ProcessId, p.Direction, p.Protocol, p.LocalAddress, p.LocalPort,
                    p.RemoteAddress, p.RemotePort, ""));
        }
        if (interval > flow.Interval)
        {
            // Also when quiet since the last record: the same counters again mark where this interval's packets begin.
            output.Add(Record(flowId, flow, p.TimestampUs));
            flow.Interval = interval;
        }
        if (p.Direction == FlowDirection.Inbound) { flow.PacketsIn++; flow.BytesIn += p.Bytes; }
        else { flow.PacketsOut++; flow.BytesOut += p.Bytes; }
        return flowId;
    }

    private void Sweep(long timestampUs, long interval, List<MonitorEvent> output)
    {
        List<ulong>? forget = null;
        foreach (var (flowId, flow) in _flows)
        {
            if (flow.Interval >= interval) continue;
            if (flow.Moved)
            {
                output.Add(Record(flowId, flow, timestampUs));
                flow.Interval = interval;
            }
            // Only the builder's own flows are forgotten: a flow with an id ends with its FlowDeleted, and forgetting
            // it would restart its counters at zero (found by bench busy: minutes off after long quiet spells).
            else if (flow.OwnMaking && interval - flow.Interval > ForgetAfterQuietIntervals)
            {
                (forget ??= []).Add(flowId);
            }
        }
        if (forget is not null) foreach (var flowId in forget) _flows.Remove(flowId);
    }

    /// <summary>The flow's last record if it moved, then its FlowDeleted, named by the builder when the event did not.</summary>
    private void End(FlowDeletedEvent d, List<MonitorEvent> output)
    {
        if (!_flows.Remove(d.FlowId, out var flow))
        {
            output.Add(d);
            return;
        }
        if (flow.Moved) output.Add(Record(d.FlowId, flow, d.TimestampUs));
        output.Add(d with { Identity = d.Identity ?? flow.Identity });
    }

    private FlowStatsEvent Record(ulong flowId, FlowState flow, long timestampUs)
    {
        flow.ReportedPackets = flow.PacketsIn + flow.PacketsOut;
        return new FlowStatsEvent(timestampUs, flowId, flow.Identity, flow.PacketsIn, flow.BytesIn, flow.PacketsOut, flow.BytesOut);
    }
}
