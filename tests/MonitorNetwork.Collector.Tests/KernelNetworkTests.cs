// The built-in-provider source: the pure mapping of Microsoft-Windows-Kernel-Network events (with the value types TDH
// gives for its manifest: int for UInt32, short for UInt16, byte[16] for IPv6) and the decoder that keeps per-flow
// totals, then the whole path into the store and the named queries.
using System.Buffers.Binary;
using System.Net;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Tests;

public class KernelNetworkTests
{
    private static readonly string[] Fields = KernelNetworkViews.Fields;

    private static int V4(string address) => KernelNetworkViews.V4(address);

    private static short Port(ushort port) => KernelNetworkViews.Port(port);

    private static FakeEventView Event(int id, int pid, int size, object daddr, object saddr, ushort dport, ushort sport, long ts = 1_767_225_600_000_000) =>
        KernelNetworkViews.Event(id, pid, size, daddr, saddr, dport, sport, ts);

    public static TheoryData<int, KernelNetworkEvents.Kind, byte> Kinds() => new()
    {
        { 10, KernelNetworkEvents.Kind.Send, 6 }, { 11, KernelNetworkEvents.Kind.Receive, 6 }, { 12, KernelNetworkEvents.Kind.Connect, 6 },
        { 13, KernelNetworkEvents.Kind.Disconnect, 6 }, { 15, KernelNetworkEvents.Kind.Accept, 6 }, { 42, KernelNetworkEvents.Kind.Send, 17 },
        { 43, KernelNetworkEvents.Kind.Receive, 17 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Map_IPv4Event_GivesKindProtocolHostOrderPortsAndAddresses(int id, KernelNetworkEvents.Kind kind, byte protocol)
    {
        var outcome = KernelNetworkMapping.Map(Event(id, 4321, 1400, V4("93.184.216.34"), V4("192.168.1.10"), 443, 50000), out var r);
        Assert.Equal(DecodeOutcome.Decoded, outcome);
        Assert.Equal((kind, protocol, 4321U, 1400U), (r.Kind, r.Protocol, r.ProcessId, r.Size));
        Assert.Equal(("192.168.1.10", (ushort)50000), (r.Local.ToString(), r.LocalPort));
        Assert.Equal(("93.184.216.34", (ushort)443), (r.Remote.ToString(), r.RemotePort));
    }

    [Theory]
    [InlineData(26, KernelNetworkEvents.Kind.Send, 6)]
    [InlineData(27, KernelNetworkEvents.Kind.Receive, 6)]
    [InlineData(28, KernelNetworkEvents.Kind.Connect, 6)]
    [InlineData(29, KernelNetworkEvents.Kind.Disconnect, 6)]
    [InlineData(31, KernelNetworkEvents.Kind.Accept, 6)]
    [InlineData(58, KernelNetworkEvents.Kind.Send, 17)]
    [InlineData(59, KernelNetworkEvents.Kind.Receive, 17)]
    public void Map_IPv6Event_ReadsSixteenByteAddresses(int id, KernelNetworkEvents.Kind kind, byte protocol)
    {
        var view = Event(id, 7, 100, IPAddress.Parse("2606:4700::1111").GetAddressBytes(), IPAddress.Parse("2001:db8::10").GetAddressBytes(), 53, 61000);
        Assert.Equal(DecodeOutcome.Decoded, KernelNetworkMapping.Map(view, out var r));
        Assert.Equal((kind, protocol), (r.Kind, r.Protocol));
        Assert.Equal(("2001:db8::10", (ushort)61000, "2606:4700::1111", (ushort)53), (r.Local.ToString(), r.LocalPort, r.Remote.ToString(), r.RemotePort));
    }

    [Theory]
    [InlineData(14, DecodeOutcome.Ignored)]
    [InlineData(16, DecodeOutcome.Ignored)]
    [InlineData(17, DecodeOutcome.Ignored)]
    [InlineData(18, DecodeOutcome.Ignored)]
    [InlineData(34, DecodeOutcome.Ignored)]
    [InlineData(1, DecodeOutcome.Unknown)]
    [InlineData(99, DecodeOutcome.Unknown)]
    public void Map_EventsWithNothingToStore_AreIgnoredOrUnknown(int id, DecodeOutcome expected) =>
        Assert.Equal(expected, KernelNetworkMapping.Map(Event(id, 1, 1, V4("1.1.1.1"), V4("2.2.2.2"), 1, 2), out _));

    [Fact]
    public void Map_BadFields_AreMalformed()
    {
        Assert.Equal(DecodeOutcome.Malformed, KernelNetworkMapping.Map(Event(10, 1, 1, "<<<EXCEPTION_DURING_VALUE_LOOKUP x>>>", V4("2.2.2.2"), 1, 2), out _));
        Assert.Equal(DecodeOutcome.Malformed, KernelNetworkMapping.Map(Event(26, 1, 1, new byte[4], new byte[16], 1, 2), out _)); // v6 event, v4-sized address
        var missing = new FakeEventView("x", ["PID", "size"], [1, 2], KernelNetworkEvents.ProviderGuid, eventId: 10);
        Assert.Equal(DecodeOutcome.Malformed, KernelNetworkMapping.Map(missing, out _));
    }

    [Fact]
    public void Decoder_ConnectionLifetime_EndsWithTotalsOfItsPackets_UdpStandsAlone()
    {
        var decoder = new KernelNetworkDecoder();
        MonitorEvent Decode(FakeEventView v)
        {
            Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(v, out var e));
            return e!;
        }
        var (remote, local) = (V4("93.184.216.34"), V4("192.168.1.10"));
        var flow = Assert.IsType<FlowEstablishedEvent>(Decode(Event(12, 500, 0, remote, local, 443, 50000)));
        var sends = Enumerable.Range(0, 3).Select(_ => Assert.IsType<PacketEvent>(Decode(Event(10, 500, 100, remote, local, 443, 50000)))).ToList();
        var recv = Assert.IsType<PacketEvent>(Decode(Event(11, 500, 1400, remote, local, 443, 50000)));
        var end = Assert.IsType<FlowDeletedEvent>(Decode(Event(13, 500, 0, remote, local, 443, 50000)));
        Assert.NotEqual(0UL, flow.FlowId);
        Assert.Equal(FlowDirection.Outbound, flow.Direction);
        Assert.All(sends, p => Assert.Equal((flow.FlowId, FlowDirection.Outbound), (p.FlowId, p.Direction)));
        Assert.Equal((flow.FlowId, FlowDirection.Inbound), (recv.FlowId, recv.Direction));
        Assert.Equal((flow.FlowId, 1UL, 1400UL, 3UL, 300UL), (end.FlowId, end.PacketsIn, end.BytesIn, end.PacketsOut, end.BytesOut));

        var udp = Assert.IsType<PacketEvent>(Decode(Event(42, 77, 60, V4("8.8.8.8"), local, 53, 55555)));
        Assert.Equal((0UL, (byte)17), (udp.FlowId, udp.Protocol));
        Assert.Equal(DecodeOutcome.OtherProvider, decoder.Decode(new FakeEventView("Packet", [], [], Guid.NewGuid(), "Other", eventId: 10), out _));
    }

    [Fact]
    public async Task KernelSource_EndToEnd_NamedQueriesAnswerTheSameQuestions()
    {
        using var dir = new TempDirectory();
        var path = dir.File("kernel.db");
        var counters = await RoutedStore.FillAsync(path, "etw-kernel", new KernelNetworkDecoder(), router =>
        {
            var (remote, local) = (V4("203.0.113.80"), V4("10.0.0.5"));
            var t = 1_767_225_600_000_000L;
            router.Route(Event(15, 900, 0, remote, local, 51000, 8443, t += 1000));              // accept: inbound flow
            for (var k = 0; k < 10; k++) router.Route(Event(11, 900, 200, remote, local, 51000, 8443, t += 1000));
            for (var k = 0; k < 5; k++) router.Route(Event(10, 900, 1000, remote, local, 51000, 8443, t += 1000));
            router.Route(Event(13, 900, 0, remote, local, 51000, 8443, t += 1000));
            router.Route(Event(43, 901, 48, V4("198.51.100.1"), local, 123, 123, t += 1000));  // UDP, no flow
            router.Route(Event(14, 900, 1000, remote, local, 51000, 8443, t += 1000));         // retransmit: ignored
        });
        Assert.Equal((18L, 0L, 0L), (counters.Written, counters.Malformed, counters.Unknown));
        QueryResult Run(string name) => RoutedStore.Query(path, name);
        Assert.Equal([[900L, "", 1L, 15L, 2000L, 5000L], [901L, null, 0L, 1L, 48L, 0L]], Run("top-processes").Rows);
        var flow = Assert.Single(Run("flows").Rows);
        Assert.Equal(("in", "tcp", "10.0.0.5:8443", "203.0.113.80:51000", 2000L, 5000L), ((string)flow[3]!, (string)flow[4]!, (string)flow[5]!, (string)flow[6]!, (long)flow[9]!, (long)flow[10]!));
        Assert.Equal([[8443L, "tcp", 900L, "", 1L, 1L]], Run("listeners").Rows.Select(r => r[..6]));
    }

    [Fact]
    public async Task KernelSource_FlowsOnlyByDefault_AnswersLikeItsPacketsWithNoPacketRows()
    {
        void Traffic(EventRouter router)
        {
            var (remote, local) = (V4("203.0.113.80"), V4("10.0.0.5"));
            var t = 1_767_225_630_000_000L; // 00:00:30
            router.Route(Event(12, 900, 0, remote, local, 443, 50123, t));                         // connect: outbound flow
            for (var k = 0; k < 600; k++)                                                             // ten minutes of a download
            {
                t += 1_000_000;
                if (k is > 200 and < 420) continue;                                                   // with three quiet minutes
                router.Route(Event(11, 900, 1400, remote, local, 443, 50123, t));
                if (k % 10 == 0) router.Route(Event(10, 900, 100, remote, local, 443, 50123, t));
            }
            for (var k = 0; k < 30; k++) router.Route(Event(43, 901, 48, V4("198.51.100.1"), local, 123, 123, t += 5_000_000)); // UDP
            router.Route(Event(13, 900, 0, remote, local, 443, 50123, t));
        }
        using var dir = new TempDirectory();
        var flowsOnly = dir.File("flows.db");
        var withPackets = dir.File("packets.db");
        await RoutedStore.FillAsync(flowsOnly, "etw-kernel", new KernelNetworkDecoder(), Traffic, EtwProvider.KernelNetwork().CreateFlowRecords());
        await RoutedStore.FillAsync(withPackets, "etw-kernel", new KernelNetworkDecoder(), Traffic,
            EtwProvider.KernelNetwork(Decoding.ProviderContract.Keywords.All).CreateFlowRecords());
        using (var c = StoreAssert.Open(flowsOnly)) Assert.Equal(0L, Dapper.SqlMapper.ExecuteScalar<long>(c, "SELECT count(*) FROM packet"));
        using (var c = StoreAssert.Open(withPackets)) Assert.Equal(381L + 39 + 30, Dapper.SqlMapper.ExecuteScalar<long>(c, "SELECT count(*) FROM packet"));
        foreach (var query in new[] { "top-processes", "top-remotes", "timeline", "listeners" })
        {
            var expected = RoutedStore.Query(withPackets, query).Rows.Select(r => string.Join("|", r)).ToList();
            Assert.Equal(expected, RoutedStore.Query(flowsOnly, query).Rows.Select(r => string.Join("|", r)).ToList());
        }
        Assert.Equal(11, RoutedStore.Query(flowsOnly, "timeline").Rows.Count); // each minute with traffic, not one spike at the end
    }

    [Theory]
    [InlineData("driver", false, "etw-driver")]
    [InlineData("kernel", true, "etw-kernel")]
    [InlineData("auto", true, "etw-driver")]
    [InlineData("auto", false, "etw-kernel")]
    [InlineData("AUTO", false, "etw-kernel")]
    public void EtwProvider_Choose_FollowsSourceAndDriverState(string source, bool driverRunning, string kind) =>
        Assert.Equal(kind, EtwProvider.Choose(source, 0x7, () => driverRunning).Kind);

    [Fact]
    public void EtwProvider_KernelNetwork_EnablesTheDocumentedProvider()
    {
        var p = EtwProvider.KernelNetwork();
        Assert.Equal(new Guid("7DD42A49-5329-4832-8DFD-43D979153A88"), p.Providers[0].Guid);
        Assert.Equal(0x30UL, p.Providers[0].Keywords);
        Assert.Equal(new Guid("22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716"), p.Providers[1].Guid);
        Assert.IsType<CompositeDecoder>(p.CreateDecoder());
        Assert.Throws<Failures.MonitorNetworkException>(() => EtwProvider.Choose("wifi", 1, () => true));
    }
}
