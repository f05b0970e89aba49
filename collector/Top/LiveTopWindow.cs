// top --live: the same view as top, computed in memory from events as a session delivers them, with no store.
// It is a batch writer, so events reach it through the collector's own router and pipeline, and a Linux test can
// feed it from a live EventPipe session exactly as Windows feeds it from ETW.
// It counts as the store's accounting views do (schema/migrations/0016_accounting.sql): Packet events, and each flow
// record's increase over the flow's previous record (FlowCounters, the writer's rule) unless the flow's packets are
// counted; a flow first seen by a record counts its whole count so far. The one difference is where an increase
// lands: the store puts it in the minute of the previous record, when it happened; a one-minute live window puts it
// at the record, when it was learned, or a quiet flow's increase would fall before the window.
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Top;

/// <summary>Per-second traffic of the last minute, by process and by remote.</summary>
public sealed class LiveTopWindow : IEventBatchWriter
{
    private const int WindowSeconds = 60;
    // Open flows' previous counters. A bound, so a session that loses FlowDeleted events cannot grow without end: a
    // flow beyond it counts as one first seen by its record.
    private const int MaxOpenFlows = 200_000;
    private readonly Dictionary<ulong, OpenFlow> _open = [];
    private readonly object _gate = new();
    private readonly SortedDictionary<long, Dictionary<(string Kind, string Key), Counts>> _seconds = [];
    private readonly Dictionary<uint, string> _paths = [];
    private long _newestUs;

    /// <inheritdoc/>
    public void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters)
    {
        lock (_gate)
        {
            foreach (var e in batch)
            {
                switch (e)
                {
                    case FlowEstablishedEvent f:
                        if (f.ProcessPath.Length > 0) _paths[f.ProcessId] = f.ProcessPath;
                        if (_open.Count < MaxOpenFlows) _open[f.FlowId] = new OpenFlow(f.ProcessId, f.RemoteAddress.ToString());
                        break;
                    case PacketEvent p:
                        if (_open.TryGetValue(p.FlowId, out var withPackets)) withPackets.PacketsSeen = true;
                        Add(p.TimestampUs, p.ProcessId, p.RemoteAddress.ToString(), p.FlowId, p.Direction == FlowDirection.Inbound
                            ? new MinuteTotals { PacketsIn = 1, BytesIn = p.Bytes } : new MinuteTotals { PacketsOut = 1, BytesOut = p.Bytes });
                        break;
                    case FlowStatsEvent r:
                        Record(r.TimestampUs, r.FlowId, new FlowCounters((long)r.PacketsIn, (long)r.BytesIn, (long)r.PacketsOut, (long)r.BytesOut),
                            r.Identity.ProcessId, r.Identity.RemoteAddress.ToString(), ended: false);
                        break;
                    case FlowDeletedEvent d when !d.CountersRefused:
                        Record(d.TimestampUs, d.FlowId, new FlowCounters((long)d.PacketsIn, (long)d.BytesIn, (long)d.PacketsOut, (long)d.BytesOut),
                            d.Identity?.ProcessId, d.Identity?.RemoteAddress.ToString(), ended: true);
                        break;
                    case FlowDeletedEvent refused:
                        _open.Remove(refused.FlowId); // its counters wrapped: it ends with what its last record said
                        break;
                }
            }
            // Old seconds go as new ones arrive: memory stays bounded by a minute of distinct processes and remotes.
            while (_seconds.Count > 0 && _seconds.Keys.First() < _newestUs / 1_000_000 - WindowSeconds) _seconds.Remove(_seconds.Keys.First());
        }
    }

    /// <summary>The last minute up to the newest event.</summary>
    public TopSnapshot Snapshot()
    {
        lock (_gate)
        {
            if (_seconds.Count == 0) return TopSnapshot.Empty;
            var totals = new Dictionary<(string Kind, string Key), Counts>();
            var flows = new Dictionary<(string Kind, string Key), HashSet<ulong>>();
            foreach (var second in _seconds.Values)
                foreach (var (key, c) in second)
                {
                    totals[key] = totals.TryGetValue(key, out var t) ? t + c : c;
                    if (!flows.TryGetValue(key, out var set)) flows[key] = set = [];
                    set.UnionWith(c.FlowIds);
                }
            var startUs = Math.Max(_seconds.Keys.First() * 1_000_000, _newestUs - WindowSeconds * 1_000_000L);
            TopRow Row((string Kind, string Key) k, Counts c) => k.Kind == "process"
                ? new TopRow(_paths.GetValueOrDefault(uint.Parse(k.Key, System.Globalization.CultureInfo.InvariantCulture), ""), long.Parse(k.Key, System.Globalization.CultureInfo.InvariantCulture), c.BytesIn, c.BytesOut, c.Packets, flows[k].Count)
                : new TopRow(k.Key, null, c.BytesIn, c.BytesOut, c.Packets, flows[k].Count);
            return new TopSnapshot(startUs, Math.Max(_newestUs, startUs + 1),
                totals.Where(t => t.Key.Kind == "process").Select(t => Row(t.Key, t.Value)).ToList(),
                totals.Where(t => t.Key.Kind == "remote").Select(t => Row(t.Key, t.Value)).ToList());
        }
    }

    /// <summary>A flow record: its increase over the flow's previous record, unless the flow's packets are counted.</summary>
    private void Record(long tsUs, ulong flowId, FlowCounters now, uint? pid, string? remote, bool ended)
    {
        if (!_open.TryGetValue(flowId, out var open))
        {
            if (pid is null || remote is null) return; // a version 1 FlowDeleted names nobody
            open = new OpenFlow(pid.Value, remote);
            if (!ended && _open.Count < MaxOpenFlows) _open[flowId] = open;
        }
        if (ended) _open.Remove(flowId);
        var increase = now.IncreaseSince(open.Previous);
        open.Previous = now;
        if (!open.PacketsSeen && !increase.IsEmpty) Add(tsUs, open.Pid, open.Remote, flowId, increase);
    }

    private void Add(long tsUs, uint pid, string remote, ulong flowId, MinuteTotals amount)
    {
        _newestUs = Math.Max(_newestUs, tsUs);
        var second = tsUs / 1_000_000;
        if (second < _newestUs / 1_000_000 - WindowSeconds) return; // arrived after its second left the window
        if (!_seconds.TryGetValue(second, out var bucket)) _seconds[second] = bucket = [];
        foreach (var key in new[] { ("process", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("remote", remote) })
        {
            if (!bucket.TryGetValue(key, out var c)) bucket[key] = c = new Counts();
            c.BytesIn += amount.BytesIn;
            c.BytesOut += amount.BytesOut;
            c.Packets += amount.PacketsIn + amount.PacketsOut;
            if (flowId != 0) c.FlowIds.Add(flowId); // packets without a flow context (0) are no flow
        }
    }

    /// <summary>An open flow: who it belongs to, its previous record's counters, and whether its packets are counted.</summary>
    private sealed class OpenFlow(uint pid, string remote)
    {
        public uint Pid { get; } = pid;
        public string Remote { get; } = remote;
        public FlowCounters Previous { get; set; }
        public bool PacketsSeen { get; set; }
    }

    /// <summary>One key's traffic in one second, and the flows it came from.</summary>
    private sealed class Counts
    {
        public long BytesIn, BytesOut, Packets;
        public HashSet<ulong> FlowIds { get; } = [];

        public static Counts operator +(Counts a, Counts b) => new() { BytesIn = a.BytesIn + b.BytesIn, BytesOut = a.BytesOut + b.BytesOut, Packets = a.Packets + b.Packets };
    }
}
