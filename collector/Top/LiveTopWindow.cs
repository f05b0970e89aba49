// top --live: the same view as top, computed in memory from events as a session delivers them, with no store.
// It is a batch writer, so events reach it through the collector's own router and pipeline, and a Linux test can
// feed it from a live EventPipe session exactly as Windows feeds it from ETW.
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Top;

/// <summary>Per-second traffic of the last minute, by process and by remote.</summary>
public sealed class LiveTopWindow : IEventBatchWriter
{
    private const int WindowSeconds = 60;
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
                    case FlowEstablishedEvent f when f.ProcessPath.Length > 0:
                        _paths[f.ProcessId] = f.ProcessPath;
                        break;
                    case PacketEvent p:
                        Add(p.TimestampUs, ("process", p.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), p.Direction, p.Bytes, p.FlowId);
                        Add(p.TimestampUs, ("remote", p.RemoteAddress.ToString()), p.Direction, p.Bytes, p.FlowId);
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

    private void Add(long tsUs, (string, string) key, FlowDirection direction, uint bytes, ulong flowId)
    {
        _newestUs = Math.Max(_newestUs, tsUs);
        var second = tsUs / 1_000_000;
        if (second < _newestUs / 1_000_000 - WindowSeconds) return; // arrived after its second left the window
        if (!_seconds.TryGetValue(second, out var bucket)) _seconds[second] = bucket = [];
        if (!bucket.TryGetValue(key, out var c)) bucket[key] = c = new Counts();
        if (direction == FlowDirection.Inbound) c.BytesIn += bytes; else c.BytesOut += bytes;
        c.Packets++;
        if (flowId != 0) c.FlowIds.Add(flowId); // packets without a flow context (0) are no flow
    }

    /// <summary>One key's traffic in one second, and the flows it came from.</summary>
    private sealed class Counts
    {
        public long BytesIn, BytesOut, Packets;
        public HashSet<ulong> FlowIds { get; } = [];

        public static Counts operator +(Counts a, Counts b) => new() { BytesIn = a.BytesIn + b.BytesIn, BytesOut = a.BytesOut + b.BytesOut, Packets = a.Packets + b.Packets };
    }
}
