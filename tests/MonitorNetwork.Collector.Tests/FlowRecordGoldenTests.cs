// The flow-record golden test: the same traffic stored as packets, as flow records only (what the default keywords
// collect), and as both, must give top-processes and timeline (1- and 5-minute buckets) as computed here from the
// script's own packets, apart from any store, and the same top-remotes and listeners as one another. The flow records
// are the ones the driver's interval rule gives for the traffic (FlowRecordBuilder; FlowRecordCrossTests holds it and
// the driver to the same hand-written records).
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public sealed class FlowRecordGoldenTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Store(string name, IEnumerable<MonitorEvent> events)
    {
        var path = _dir.File(name + ".db");
        using var c = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1));
        var session = SessionStore.Begin(c, "test", name, DateTimeOffset.UtcNow);
        using (var writer = new SqliteEventWriter(c, session))
            foreach (var chunk in events.Chunk(101)) writer.WriteBatch(chunk, default);
        return path;
    }

    private static List<string> Answer(string db, string query, params string[] parameters)
    {
        var q = QueryCatalog.Find(query)!;
        var result = QueryExecutor.Run(db, q, ParameterBinder.Bind(q, parameters, DateTimeOffset.UtcNow));
        return result.Rows.Select(row => string.Join(" | ", row.Select(v => v?.ToString() ?? "NULL"))).ToList();
    }

    private static List<MonitorEvent> WithRecords(List<MonitorEvent> script, bool keepPackets)
    {
        var builder = new FlowRecordBuilder(TimeSpan.FromSeconds(60), keepPackets);
        var output = new List<MonitorEvent>();
        foreach (var e in script) builder.Add(e, output);
        return output;
    }

    public static TheoryData<int> Seeds() => new(1, 2, 3);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void FlowRecordsAlone_AnswerLikePackets(int seed)
    {
        var script = FlowTrafficScript.Build(flows: 40, seed);
        var records = WithRecords(script, keepPackets: false);
        Assert.DoesNotContain(records, e => e is PacketEvent);
        Assert.True(records.OfType<FlowStatsEvent>().Count() > 100, "the script must give many records");

        var fromPackets = Store("packets", script);
        var fromRecords = Store("records", records);
        var both = Store("both", WithRecords(script, keepPackets: true));

        // Written from the script alone: what each store must answer.
        var packets = script.OfType<PacketEvent>().ToList();
        Assert.NotEmpty(packets);
        foreach (var (query, parameters, expected) in new (string, string[], List<string>)[]
                 {
                     ("timeline", ["bucket=60"], Timeline(packets, 60)),
                     ("timeline", ["bucket=300"], Timeline(packets, 300)),
                     ("top-processes", ["limit=100"], TopProcesses(script)),
                 })
        {
            Assert.Equal(expected, Answer(fromPackets, query, parameters));
            Assert.Equal(expected, Answer(fromRecords, query, parameters));
            Assert.Equal(expected, Answer(both, query, parameters)); // packets and records together: every byte once
        }
        foreach (var (query, parameters) in new (string, string[])[] { ("top-remotes", ["limit=100"]), ("listeners", []) })
        {
            var expected = Answer(fromPackets, query, parameters);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Answer(fromRecords, query, parameters));
            Assert.Equal(expected, Answer(both, query, parameters));
        }
    }

    /// <summary>Packets and payload bytes per bucket of the packets' own times.</summary>
    private static List<string> Timeline(List<PacketEvent> packets, long bucketSeconds) => packets
        .GroupBy(p => p.TimestampUs / 1_000_000 / bucketSeconds * bucketSeconds)
        .OrderBy(g => g.Key)
        .Select(g => string.Join(" | ",
            DateTime.UnixEpoch.AddSeconds(g.Key).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            g.LongCount(),
            g.Where(p => p.Direction == FlowDirection.Inbound).Sum(p => (long)p.Bytes),
            g.Where(p => p.Direction == FlowDirection.Outbound).Sum(p => (long)p.Bytes)))
        .ToList();

    /// <summary>Each program's flows, packets and bytes, busiest first (the query's order: bytes, then pid, then path).</summary>
    private static List<string> TopProcesses(List<MonitorEvent> script)
    {
        var flows = script.OfType<FlowEstablishedEvent>().ToDictionary(f => f.FlowId);
        return script.OfType<PacketEvent>()
            .GroupBy(p => (Pid: (long)flows[p.FlowId].ProcessId, Path: flows[p.FlowId].ProcessPath))
            .Select(g => (g.Key.Pid, g.Key.Path,
                Flows: flows.Values.Count(f => f.ProcessId == g.Key.Pid && f.ProcessPath == g.Key.Path),
                Packets: g.LongCount(),
                In: g.Where(p => p.Direction == FlowDirection.Inbound).Sum(p => (long)p.Bytes),
                Out: g.Where(p => p.Direction == FlowDirection.Outbound).Sum(p => (long)p.Bytes)))
            .OrderByDescending(r => r.In + r.Out).ThenBy(r => r.Pid).ThenBy(r => r.Path, StringComparer.Ordinal)
            .Select(r => string.Join(" | ", r.Pid, r.Path, r.Flows, r.Packets, r.In, r.Out))
            .ToList();
    }
}
