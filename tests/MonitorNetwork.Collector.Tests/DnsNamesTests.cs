// Names, not only addresses: the QueryResults parser on real formats, the DNS-Client decoder, each flow named from
// the answers of its own process first, the window, the named queries, and the whole path end to end through
// EventPipe with the DNS-Client stand-in.
using System.Net;
using Dapper;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

[Collection(EventPipeCollection.Name)]
public class DnsNamesTests
{
    private const long T0 = 1_767_225_600_000_000;
    private static NetAddress A(string s) => NetAddress.FromIPAddress(IPAddress.Parse(s));

    [Theory]
    [InlineData("93.184.216.34;", "", "93.184.216.34")]
    [InlineData("::ffff:93.184.216.34;", "", "93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946;", "", "2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("type:  5 edge-star-mini-shv-01-amt2.facebook.com;::ffff:157.240.201.35;", "edge-star-mini-shv-01-amt2.facebook.com", "157.240.201.35")]
    [InlineData("type:  5 a.example.net;type:  5 b.example.net.;10.0.0.1;10.0.0.2;10.0.0.1;", "a.example.net > b.example.net", "10.0.0.1 10.0.0.2")]
    [InlineData("type:  28 whatever;type: 12 ptr.example;", "", "")]
    [InlineData("", "", "")]
    [InlineData(";;  ;not-an-address;", "", "")]
    public void QueryResults_Parsed(string results, string cnames, string addresses)
    {
        var (c, a) = DnsQueryResults.Parse(results);
        Assert.Equal(cnames, string.Join(" > ", c));
        Assert.Equal(addresses, string.Join(' ', a.Select(x => x.ToString())));
    }

    [Fact]
    public void Decoder_3008_ByGuidOrByName_ThePidFromTheHeader()
    {
        string[] names = ["QueryName", "QueryType", "QueryOptions", "QueryStatus", "QueryResults"];
        object?[] values = ["www.example.com", 1, 0L, 0, "type:  5 cdn.example.net;93.184.216.34;"];
        var decoder = new DnsClientDecoder();
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("QueryCompleted", names, values, DnsClientDecoder.ProviderGuid, "anything", eventId: 3008, processId: 4120), out var etw));
        var d = Assert.IsType<DnsAnswerEvent>(etw);
        Assert.Equal((4120u, "www.example.com", "cdn.example.net", "93.184.216.34"), (d.ProcessId, d.QueryName, d.CnameChain.Single(), d.Addresses.Single().ToString()));
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("QueryCompleted", names, values, Guid.NewGuid(), DnsClientDecoder.ProviderName, eventId: 3008), out _));
        object?[] failed = ["nx.example.com", 1, 0L, 9003, ""]; // DNS_ERROR_RCODE_NAME_ERROR
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("QueryCompleted", names, failed, DnsClientDecoder.ProviderGuid, eventId: 3008), out var nx));
        Assert.Empty(Assert.IsType<DnsAnswerEvent>(nx).Addresses);
        Assert.Equal(DecodeOutcome.Ignored, decoder.Decode(new FakeEventView("QueryStarted", [], [], DnsClientDecoder.ProviderGuid, eventId: 3006), out _));
        Assert.Equal(DecodeOutcome.OtherProvider, decoder.Decode(new FakeEventView("x", [], [], Guid.NewGuid(), "Other", eventId: 3008), out _));
        Assert.Equal(DecodeOutcome.Malformed, decoder.Decode(new FakeEventView("QueryCompleted", names, [42, 1, 0L, 0, ""], DnsClientDecoder.ProviderGuid, eventId: 3008), out _));
    }

    [Fact]
    public void Sources_EnableDnsClient_UnlessNoDns()
    {
        Assert.Contains(Sources.EtwProvider.Driver(Decoding.ProviderContract.Keywords.All).Providers, p => p.Guid == DnsClientDecoder.ProviderGuid && p.Level == 4);
        Assert.Contains(Sources.EtwProvider.KernelNetwork().Providers, p => p.Guid == DnsClientDecoder.ProviderGuid);
        Assert.DoesNotContain(Sources.EtwProvider.Driver(Decoding.ProviderContract.Keywords.All, dns: false).Providers, p => p.Guid == DnsClientDecoder.ProviderGuid);
        Assert.DoesNotContain(Sources.EtwProvider.Choose("kernel", 0, () => false, dns: false).Providers, p => p.Guid == DnsClientDecoder.ProviderGuid);
    }

    [Fact]
    public void Manifest_3008_HasTheFieldsTheDecoderReads()
    {
        var e = EtwManifest.Load(DnsClientDecoder.ProviderName).Event(DnsClientDecoder.QueryCompleted);
        Assert.NotNull(e);
        Assert.Equal([("QueryName", "UnicodeString"), ("QueryType", "UInt32"), ("QueryOptions", "UInt64"), ("QueryStatus", "UInt32"), ("QueryResults", "UnicodeString")],
            e.Fields.Select(f => (f.Name, f.InType)));
        var emitter = typeof(DnsClientEmitter).GetMethod(nameof(DnsClientEmitter.QueryCompleted))!.GetParameters();
        Assert.Equal(e.Fields.Select(f => f.Name), emitter.Select(p => p.Name));
    }

    private static string Store(params MonitorEvent[] events)
    {
        var dir = new TempDirectory();
        var db = dir.File("dns.db");
        using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
        using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
        writer.WriteBatch(events, default);
        return db;
    }

    private static FlowEstablishedEvent Flow(long ts, ulong id, uint pid, string remote) =>
        new(ts, id, pid, FlowDirection.Outbound, 6, A("192.168.1.5"), (ushort)(50000 + id), A(remote), 443, $@"C:\p{pid}.exe");

    private static QueryResult Query(string db, string name, params string[] parameters)
    {
        var q = QueryCatalog.Find(name)!;
        return QueryExecutor.Run(db, q, ParameterBinder.Bind(q, parameters, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Flows_NamedByTheirOwnProcessFirst_WithinTheWindow()
    {
        var shared = "203.0.113.80";
        var db = Store(
            new DnsAnswerEvent(T0, 100, "video.example", 1, 0, ["cdn.example.net"], [A(shared)]),
            new DnsAnswerEvent(T0 + 1_000_000, 200, "mail.example", 1, 0, [], [A(shared)]),
            new DnsAnswerEvent(T0 - 2 * 3_600_000_000L, 300, "stale.example", 1, 0, [], [A("198.51.100.1")]),
            Flow(T0 + 5_000_000, 1, 100, shared),   // process 100 asked for video.example
            Flow(T0 + 6_000_000, 2, 200, shared),   // process 200 asked for mail.example
            Flow(T0 + 7_000_000, 3, 999, shared),   // nobody in 999: the newest answer of anyone
            Flow(T0 + 8_000_000, 4, 300, "198.51.100.1"), // its answer is two hours old: outside the 1 h window
            Flow(T0 - 10_000_000, 5, 100, shared)); // before any answer
        using var c = StoreDatabase.OpenReadOnly(db);
        var names = c.Query<(long FlowId, string? Host)>("SELECT flow_id, remote_host FROM flow ORDER BY flow_id").ToList();
        Assert.Equal([(1L, "video.example"), (2L, "mail.example"), (3L, "mail.example"), (4L, null), (5L, null)], names);
        Assert.Equal("cdn.example.net", c.ExecuteScalar<string>("SELECT cname_chain FROM dns_answer WHERE query_name = 'video.example'"));

        var hosts = Query(db, "top-hosts").Rows.Select(r => (string)r[0]!).ToList();
        Assert.Contains("video.example", hosts);
        Assert.Contains("mail.example", hosts);
        Assert.Contains("198.51.100.1", hosts); // no usable name: the address stands for itself
        var flows = Query(db, "flows");
        Assert.Equal("remote_host", flows.Columns[^1]);
        var dns = Query(db, "dns", "since=0", "process=100");
        Assert.Equal(["ts_utc", "pid", "process_path", "query_name", "cname_chain", "addresses"], dns.Columns);
        Assert.Equal(("video.example", "cdn.example.net", "203.0.113.80"), ((string)dns.Rows.Single()[3]!, (string)dns.Rows.Single()[4]!, (string)dns.Rows.Single()[5]!));
        // A resolved address nobody contacted is not a "new remote".
        Assert.DoesNotContain(Query(db, "new-remotes", "since=0").Rows, r => (string)r[0]! == "198.51.100.99");
    }

    [Fact]
    public void ResolvedButNeverContacted_IsNoNewRemote()
    {
        var db = Store(new DnsAnswerEvent(T0, 1, "quiet.example", 1, 0, [], [A("198.51.100.99")]), Flow(T0 + 1, 1, 1, "203.0.113.1"));
        var rows = Query(db, "new-remotes", "since=0").Rows;
        Assert.Single(rows);
        Assert.Equal("203.0.113.1", rows[0][0]);
    }

    [Fact]
    public async Task EndToEnd_EventPipe_AnswersThenFlows_TopHostsAndFlowsShowTheNames()
    {
        using var dir = new TempDirectory();
        var db = dir.File("e2e.db");
        var source = new EventPipeLiveSource(Environment.ProcessId, Decoding.ProviderContract.Keywords.All);
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions { FlushInterval = TimeSpan.FromMilliseconds(100) }, TimeSpan.FromSeconds(1)), source, stop.Token);
        // No sleeps: once the session has started it records what is sent, and stopping it drains the stream to the
        // last event before the run ends (as LiveEventPipeEndToEndTests rely on).
        await source.Started.WaitAsync(TimeSpan.FromSeconds(30));
        DnsClientEmitter.Log.QueryCompleted("www.youtube.com", 1, 0, 0, "type:  5 youtube-ui.l.google.com;::ffff:142.250.74.78;142.250.74.110;");
        DnsClientEmitter.Log.QueryCompleted("nx.example", 1, 0, 9003, "");
        // The answer precedes the connection, as on a real host: one session delivers them in this order.
        TestEmitter.Log.Send(new FlowEstablishedEvent(0, 77, (uint)Environment.ProcessId, FlowDirection.Outbound, 6, A("192.168.1.5"), 50123, A("142.250.74.78"), 443, @"C:\chrome.exe"));
        TestEmitter.Log.Send(new FlowDeletedEvent(0, 77, 10, 2_000_000, 5, 4_000));
        stop.Cancel();
        var result = await run;
        Assert.Equal(0, result.Counters.Malformed);

        using var c = StoreDatabase.OpenReadOnly(db);
        Assert.Equal(2, c.ExecuteScalar<long>("SELECT count(*) FROM dns_answer")); // one row per address; the failed query has none
        Assert.Equal("youtube-ui.l.google.com", c.ExecuteScalar<string>("SELECT DISTINCT cname_chain FROM dns_answer"));
        Assert.Equal(Environment.ProcessId, c.ExecuteScalar<long>("SELECT DISTINCT pid FROM dns_answer"));
        var top = Query(db, "top-hosts").Rows.First();
        Assert.Equal(("www.youtube.com", 1L, 2_000_000L), ((string)top[0]!, (long)top[1]!, (long)top[2]!));
        Assert.Equal("www.youtube.com", Query(db, "flows").Rows.Single()[^1]);
    }
}
