// Hostile input to the decoder: random names, providers, field sets, types and values. Nothing may escape the
// callback, and every event must land in exactly one outcome.
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Tests.TestSupport;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Tests;

public class DecoderFuzzTests
{
    private static object? RandomValue(Random r) => r.Next(14) switch
    {
        0 => null,
        1 => (byte)r.Next(256),
        2 => (short)r.Next(short.MinValue, short.MaxValue),
        3 => (ushort)r.Next(65536),
        4 => r.Next(),
        5 => (uint)r.NextInt64(0, uint.MaxValue),
        6 => r.NextInt64(),
        7 => (ulong)r.NextInt64(),
        8 => Guid.NewGuid(),
        9 => new byte[r.Next(0, 40)],
        10 => new string('x', r.Next(0, 70_000)),
        11 => "<<<EXCEPTION_DURING_VALUE_LOOKUP NullReferenceException>>>",
        12 => r.NextDouble(),
        _ => new object(),
    };

    [Fact]
    public void Decode_RandomEvents_NeverThrow_AndEachHasOneOutcome()
    {
        var random = new Random(1234);
        var decoder = new ContractDecoder();
        string[] names = ["Packet", "FlowEstablished", "FlowDeleted", "DriverStarted", "DriverStopping", "Nope", "", "Packet/Start"];
        var fieldPool = ProviderContract.Fields.FlowEstablished.Concat(ProviderContract.Fields.FlowDeleted).Concat(ProviderContract.Fields.Packet)
            .Concat(ProviderContract.Fields.DriverStopping).Append("Extra").Distinct().ToArray();
        var outcomes = new Dictionary<DecodeOutcome, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var fieldNames = fieldPool.OrderBy(_ => random.Next()).Take(random.Next(0, fieldPool.Length)).ToArray();
            var values = fieldNames.Select(_ => RandomValue(random)).ToArray();
            var raw = random.Next(3) == 0 ? new byte[random.Next(0, 80)] : null;
            if (raw is not null) random.NextBytes(raw);
            var view = new FakeEventView(names[random.Next(names.Length)], fieldNames, values,
                random.Next(5) == 0 ? Guid.NewGuid() : ProviderContract.ProviderGuid, raw: raw);
            var outcome = decoder.Decode(view, out var decoded);
            Assert.Equal(outcome == DecodeOutcome.Decoded, decoded is not null);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Assert.Equal(20_000, outcomes.Values.Sum());
        Assert.True(outcomes.GetValueOrDefault(DecodeOutcome.Malformed) > 1000);
        Assert.True(outcomes.GetValueOrDefault(DecodeOutcome.Unknown) > 1000);
        Assert.True(outcomes.GetValueOrDefault(DecodeOutcome.OtherProvider) > 1000);
    }

    [Fact]
    public void Route_HostileEvents_AreCountedAsMalformedInTheSession()
    {
        var pipeline = new Pipeline.EventPipeline(new NoWriter(), new Pipeline.PipelineOptions());
        var router = new Routing.EventRouter(pipeline);
        router.Route(FakeEventView.Of("Packet", ProviderContract.Fields.Packet, "<<<EXCEPTION_DURING_VALUE_LOOKUP x>>>"));
        router.Route(FakeEventView.Of("FlowEstablished", ProviderContract.Fields.FlowEstablished, 1UL, 2U, (byte)0, (byte)6, Guid.Empty, (ushort)1, Guid.Empty, (ushort)2, new string('p', 64 * 1024)));
        router.Route(new FakeEventView("NoSuchEvent", [], []));
        router.Route(new FakeEventView("Packet", [], [], Guid.NewGuid(), "SomeoneElse"));
        Assert.Equal((2L, 1L, 0L), (pipeline.Counters.Malformed, pipeline.Counters.Unknown, pipeline.Counters.Received));
    }

    private sealed class NoWriter : Pipeline.IEventBatchWriter
    {
        public void WriteBatch(IReadOnlyList<Events.MonitorEvent> batch, Pipeline.CounterSnapshot counters) { }
    }
}
