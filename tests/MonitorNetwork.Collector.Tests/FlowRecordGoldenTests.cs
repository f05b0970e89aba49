// The flow-record golden test: the same traffic stored as packets, as flow records only (what the default keywords
// collect), and as both, must give the same top-processes, top-remotes, timeline (1-minute buckets) and listeners.
// The flow records are the ones the driver's interval rule gives for the traffic (FlowRecordBuilder implements the
// rule; the driver harness checks the driver against it).
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Flows;
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

        foreach (var (query, parameters) in new (string, string[])[]
                 {
                     ("top-processes", ["limit=100"]), ("top-remotes", ["limit=100"]),
                     ("timeline", ["bucket=60"]), ("timeline", ["bucket=300"]), ("listeners", []),
                 })
        {
            var expected = Answer(fromPackets, query, parameters);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Answer(fromRecords, query, parameters));
            Assert.Equal(expected, Answer(both, query, parameters)); // packets and records together: every byte once
        }
    }
}
