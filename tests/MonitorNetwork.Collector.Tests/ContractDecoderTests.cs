// The decoder against the value types each transport really delivers (ETW/TDH: short/int/long/byte[16];
// EventPipe: ushort/uint/ulong/Guid) and against hostile fields.
using System.Net;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ContractDecoderTests
{
    private static readonly byte[] V4Mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 168, 1, 10];
    private static readonly byte[] V6 = IPAddress.Parse("2001:db8::10").GetAddressBytes();

    private static object?[] PacketValues(string transport) => transport switch
    {
        // FlowId 2^64-2, PID 0xFFFFFFFE, port 65535 and 40000, 60000 bytes: all above the signed range of TDH's types.
        "tdh" => [unchecked((long)0xFFFF_FFFF_FFFF_FFFEUL), unchecked((int)0xFFFF_FFFEU), (byte)1, (byte)6, V4Mapped.Clone(), unchecked((short)65535), V6.Clone(), unchecked((short)40000), unchecked((int)60000U)],
        _ => [0xFFFF_FFFF_FFFF_FFFEUL, 0xFFFF_FFFEU, (byte)1, (byte)6, new Guid(V4Mapped), (ushort)65535, new Guid(V6), (ushort)40000, 60000U],
    };

    /// <summary>
    /// A Packet payload in the TraceLogging wire format the driver writes (TraceLoggingProvider.h): integers little-endian
    /// in field order, and each TraceLoggingIPv6Address as TlgInBINARY, a UInt16 byte count (16) and then the bytes.
    /// </summary>
    private static byte[] TraceLoggingPacketPayload(ushort addressLength = 16)
    {
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes(0xFFFF_FFFF_FFFF_FFFEUL));
        bytes.AddRange(BitConverter.GetBytes(0xFFFF_FFFEU));
        bytes.Add(1);
        bytes.Add(6);
        bytes.AddRange(BitConverter.GetBytes(addressLength));
        bytes.AddRange(V4Mapped);
        bytes.AddRange(BitConverter.GetBytes((ushort)65535));
        bytes.AddRange(BitConverter.GetBytes(addressLength));
        bytes.AddRange(V6);
        bytes.AddRange(BitConverter.GetBytes((ushort)40000));
        bytes.AddRange(BitConverter.GetBytes(60000U));
        return bytes.ToArray();
    }

    [Fact]
    public void Decode_PacketInTraceLoggingWireFormat_ReadRawWithTheAddressLengths()
    {
        var decoder = new ContractDecoder();
        var raw = TraceLoggingPacketPayload();
        Assert.Equal(58, raw.Length);
        // The first event proves the layout from TDH's values; the second carries no usable values at all, so only the
        // raw path can decode it.
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("Packet", ProviderContract.Fields.Packet, PacketValues("tdh"), raw: raw), out _));
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("Packet", ProviderContract.Fields.Packet, new object?[9], raw: raw), out var decoded));
        var p = Assert.IsType<PacketEvent>(decoded);
        Assert.Equal("192.168.1.10", p.LocalAddress.ToString());
        Assert.Equal(65535, p.LocalPort);
        Assert.Equal("2001:db8::10", p.RemoteAddress.ToString());
        Assert.Equal(40000, p.RemotePort);
        Assert.Equal(60000U, p.Bytes);
        Assert.Equal(0xFFFF_FFFEU, p.ProcessId);
    }

    [Fact]
    public void Decode_PacketWithAnAddressLengthOtherThan16_NotReadRaw()
    {
        var decoder = new ContractDecoder();
        var good = TraceLoggingPacketPayload();
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("Packet", ProviderContract.Fields.Packet, PacketValues("tdh"), raw: good), out _));
        var outcome = decoder.Decode(new FakeEventView("Packet", ProviderContract.Fields.Packet, new object?[9], raw: TraceLoggingPacketPayload(addressLength: 15)), out _);
        Assert.Equal(DecodeOutcome.Malformed, outcome); // the field-by-field path had no values: never garbage from misread bytes
    }

    [Theory]
    [InlineData("tdh")]
    [InlineData("eventpipe")]
    public void Decode_PacketFromEitherTransport_NormalisesToContractValues(string transport)
    {
        var view = FakeEventView.Of("Packet", ProviderContract.Fields.Packet, PacketValues(transport));
        var outcome = new ContractDecoder().Decode(view, out var decoded);
        Assert.Equal(DecodeOutcome.Decoded, outcome);
        var p = Assert.IsType<PacketEvent>(decoded);
        Assert.Equal(new PacketEvent(view.TimestampUs, 0xFFFF_FFFF_FFFF_FFFEUL, 0xFFFF_FFFEU, FlowDirection.Inbound, 6,
            NetAddress.FromBytes(V4Mapped), 65535, NetAddress.FromBytes(V6), 40000, 60000), p);
        Assert.Equal("192.168.1.10", p.LocalAddress.ToString());
        Assert.Equal("2001:db8::10", p.RemoteAddress.ToString());
    }

    [Theory]
    [InlineData("tdh")]
    [InlineData("eventpipe")]
    public void Decode_FlowEstablished_KeepsNonAsciiPath(string transport)
    {
        var values = PacketValues(transport);
        values[8] = @"\device\harddiskvolume3\zoë\日本.exe";
        var outcome = new ContractDecoder().Decode(FakeEventView.Of("FlowEstablished", ProviderContract.Fields.FlowEstablished, values), out var decoded);
        Assert.Equal(DecodeOutcome.Decoded, outcome);
        Assert.Equal(@"\device\harddiskvolume3\zoë\日本.exe", Assert.IsType<FlowEstablishedEvent>(decoded).ProcessPath);
    }

    [Theory]
    [InlineData("tdh")]
    [InlineData("eventpipe")]
    public void Decode_FlowDeletedOfContractVersion1_ReadsTotalsWithoutIdentity(string transport)
    {
        object?[] values = transport == "tdh" ? [-2L, 1L, 2L, 3L, 4L] : [ulong.MaxValue - 1, 1UL, 2UL, 3UL, 4UL];
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(FakeEventView.Of("FlowDeleted", ProviderContract.Fields.FlowDeletedVersion1, values), out var decoded));
        Assert.Equal(new FlowDeletedEvent(1_700_000_000_000_000, ulong.MaxValue - 1, 1, 2, 3, 4), decoded);
        Assert.Null(((FlowDeletedEvent)decoded!).Identity);
    }

    /// <summary>A flow record's values: Packet's identity, then four counters (the last at long.MaxValue).</summary>
    private static object?[] FlowRecordValues(string transport) =>
        PacketValues(transport)[..8].Concat(transport == "tdh" ? new object?[] { 1L, 2L, 3L, long.MaxValue } : [1UL, 2UL, 3UL, (ulong)long.MaxValue]).ToArray();

    private static readonly FlowIdentity s_recordIdentity =
        new(0xFFFF_FFFEU, FlowDirection.Inbound, 6, NetAddress.FromBytes(V4Mapped), 65535, NetAddress.FromBytes(V6), 40000);

    [Theory]
    [InlineData("tdh")]
    [InlineData("eventpipe")]
    public void Decode_FlowDeleted_ReadsIdentityAndTotals(string transport)
    {
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(FakeEventView.Of("FlowDeleted", ProviderContract.Fields.FlowDeleted, FlowRecordValues(transport)), out var decoded));
        var d = Assert.IsType<FlowDeletedEvent>(decoded);
        Assert.Equal(new FlowDeletedEvent(1_700_000_000_000_000, 0xFFFF_FFFF_FFFF_FFFEUL, 1, 2, 3, long.MaxValue) { Identity = s_recordIdentity }, d);
    }

    [Theory]
    [InlineData("tdh")]
    [InlineData("eventpipe")]
    public void Decode_FlowStats_ReadsIdentityAndCumulativeCounters(string transport)
    {
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(FakeEventView.Of("FlowStats", ProviderContract.Fields.FlowStats, FlowRecordValues(transport)), out var decoded));
        Assert.Equal(new FlowStatsEvent(1_700_000_000_000_000, 0xFFFF_FFFF_FFFF_FFFEUL, s_recordIdentity, 1, 2, 3, long.MaxValue), decoded);
    }

    [Theory]
    [InlineData(8, 1UL + long.MaxValue)]   // a counter past long.MaxValue: the store's INTEGER cannot hold it
    [InlineData(11, "12")]
    [InlineData(2, (byte)7)]               // direction
    [InlineData(4, null)]                  // a missing address
    public void Decode_FlowStatsWithHostileField_IsMalformed(int field, object? value)
    {
        var values = FlowRecordValues("eventpipe");
        values[field] = value;
        Assert.Equal(DecodeOutcome.Malformed, new ContractDecoder().Decode(FakeEventView.Of("FlowStats", ProviderContract.Fields.FlowStats, values), out var decoded));
        Assert.Null(decoded);
    }

    [Fact]
    public void Decode_HealthEvent_KeepsNamedIntegerFields()
    {
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(FakeEventView.Of("DriverStarted", ProviderContract.Fields.DriverStarted, 65536, 6), out var decoded));
        var h = Assert.IsType<HealthEvent>(decoded);
        Assert.Equal("DriverStarted", h.Name);
        Assert.Equal([new("DriverVersion", 65536UL), new("CalloutsRegistered", 6UL)], h.Fields);
    }

    [Fact]
    public void Decode_DriverStoppingOfDriver10_KeepsTheFourCountersItHas()
    {
        string[] old = ["FlowsTracked", "FlowsActive", "ContextAllocFailures", "PacketsWithoutFlow"];
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(new FakeEventView("DriverStopping", old, [9UL, 0UL, 1UL, 2UL]), out var decoded));
        var h = Assert.IsType<HealthEvent>(decoded);
        Assert.Equal(old, h.Fields.Select(f => f.Key));
        Assert.Equal([9UL, 0UL, 1UL, 2UL], h.Fields.Select(f => f.Value));
    }

    [Fact]
    public void Decode_DriverHealthAndUnloadTimeout_AreHealthEvents()
    {
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(FakeEventView.Of("DriverHealth", ProviderContract.Fields.DriverHealth,
            5UL, 4UL, 3UL, 2UL, 1UL, 6UL, 7UL, 8UL), out var health));
        Assert.Equal(8, Assert.IsType<HealthEvent>(health).Fields.Count);
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(FakeEventView.Of("UnloadTimeout", ProviderContract.Fields.UnloadTimeout,
            2U, 3UL, 4U), out var timeout));
        Assert.Equal([2UL, 3UL, 4UL], Assert.IsType<HealthEvent>(timeout).Fields.Select(f => f.Value));
    }

    [Fact]
    public void Decode_FieldsInAnotherOrder_FoundByName()
    {
        var names = ProviderContract.Fields.FlowDeletedVersion1.Reverse().ToArray();
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(new FakeEventView("FlowDeleted", names, [4UL, 3UL, 2UL, 1UL, 9UL]), out var decoded));
        Assert.Equal(new FlowDeletedEvent(1_700_000_000_000_000, 9, 1, 2, 3, 4), decoded);
    }

    [Fact]
    public void Decode_SameEventNameWithNewLayout_RecomputesFieldPositions()
    {
        var decoder = new ContractDecoder();
        decoder.Decode(FakeEventView.Of("FlowDeleted", ProviderContract.Fields.FlowDeletedVersion1, 9UL, 1UL, 2UL, 3UL, 4UL), out _);
        var reordered = ProviderContract.Fields.FlowDeletedVersion1.Reverse().ToArray();
        decoder.Decode(new FakeEventView("FlowDeleted", reordered, [4UL, 3UL, 2UL, 1UL, 9UL]), out var decoded);
        Assert.Equal(new FlowDeletedEvent(1_700_000_000_000_000, 9, 1, 2, 3, 4), decoded);
    }

    public static TheoryData<string, int, object?> HostileFieldValues() => new()
    {
        { "error string from PayloadValue", 0, "<<<EXCEPTION_DURING_VALUE_LOOKUP IndexOutOfRangeException>>>" },
        { "null", 1, null },
        { "wrong type (double)", 1, 3.5 },
        { "direction out of range", 2, (byte)2 },
        { "protocol too wide", 3, 300U },
        { "address truncated to 15 bytes", 4, new byte[15] },
        { "address as string", 6, "10.0.0.1" },
        { "port too wide", 5, 70000 },
        { "bytes as string", 8, "1500" },
    };

    [Theory]
    [MemberData(nameof(HostileFieldValues))]
    public void Decode_HostileField_IsMalformedNotThrown(string why, int field, object? value)
    {
        var values = PacketValues("eventpipe");
        values[field] = value;
        var outcome = new ContractDecoder().Decode(FakeEventView.Of("Packet", ProviderContract.Fields.Packet, values), out var decoded);
        Assert.True(outcome == DecodeOutcome.Malformed, why);
        Assert.Null(decoded);
    }

    [Fact]
    public void Decode_MissingField_IsMalformed()
    {
        var names = ProviderContract.Fields.Packet[..8]; // TDH drops every field after an unsupported one
        var outcome = new ContractDecoder().Decode(new FakeEventView("Packet", names, PacketValues("tdh")[..8]), out _);
        Assert.Equal(DecodeOutcome.Malformed, outcome);
    }

    [Fact]
    public void Decode_OversizedProcessPath_IsMalformed()
    {
        var values = PacketValues("eventpipe");
        values[8] = new string('x', 64 * 1024);
        Assert.Equal(DecodeOutcome.Malformed, new ContractDecoder().Decode(FakeEventView.Of("FlowEstablished", ProviderContract.Fields.FlowEstablished, values), out _));
    }

    [Fact]
    public void Decode_PayloadValueThrows_IsMalformed()
    {
        var view = new ThrowingView();
        Assert.Equal(DecodeOutcome.Malformed, new ContractDecoder().Decode(view, out _));
    }

    [Theory]
    [InlineData("SomethingNew")]
    [InlineData("ManifestData")]
    [InlineData("Packet/Start")]
    public void Decode_UnknownEventName_IsUnknown(string name) =>
        Assert.Equal(DecodeOutcome.Unknown, new ContractDecoder().Decode(new FakeEventView(name, [], []), out _));

    [Fact]
    public void Decode_OtherProviderWithSameEventName_IsIgnored()
    {
        var view = new FakeEventView("Packet", ProviderContract.Fields.Packet, PacketValues("eventpipe"), Guid.NewGuid(), "Other");
        Assert.Equal(DecodeOutcome.OtherProvider, new ContractDecoder().Decode(view, out _));
    }

    [Fact]
    public void Decode_ProviderKnownOnlyByName_IsAccepted()
    {
        var view = new FakeEventView("Packet", ProviderContract.Fields.Packet, PacketValues("eventpipe"), Guid.Empty);
        Assert.Equal(DecodeOutcome.Decoded, new ContractDecoder().Decode(view, out _));
    }

    /// <summary>The payload bytes of a Packet with the given values, in contract order and sizes, little-endian.</summary>
    private static byte[] RawPacket(object?[] v)
    {
        var b = new List<byte>();
        b.AddRange(BitConverter.GetBytes((ulong)v[0]!));
        b.AddRange(BitConverter.GetBytes((uint)v[1]!));
        b.Add((byte)v[2]!);
        b.Add((byte)v[3]!);
        b.AddRange(((Guid)v[4]!).ToByteArray());
        b.AddRange(BitConverter.GetBytes((ushort)v[5]!));
        b.AddRange(((Guid)v[6]!).ToByteArray());
        b.AddRange(BitConverter.GetBytes((ushort)v[7]!));
        b.AddRange(BitConverter.GetBytes((uint)v[8]!));
        return b.ToArray();
    }

    [Fact]
    public void Decode_RawPayload_GivesSameEventAsFieldValues()
    {
        var values = PacketValues("eventpipe");
        var decoder = new ContractDecoder();
        decoder.Decode(FakeEventView.Of("Packet", ProviderContract.Fields.Packet, values), out var viaValues);
        // Values that disagree with the bytes show which path was taken: the second event must come from the bytes.
        var bytes = RawPacket(values);
        var names = ProviderContract.Fields.Packet;
        var misleading = (object?[])values.Clone();
        misleading[8] = 1U;
        var view = new FakeEventView("Packet", names, misleading, raw: bytes);
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(view, out var viaBytes));
        Assert.Equal(viaValues, viaBytes);
    }

    [Fact]
    public void Decode_RawPayloadWithBadDirectionOrLength_IsMalformedOrFallsBack()
    {
        var values = PacketValues("eventpipe");
        var decoder = new ContractDecoder();
        var names = ProviderContract.Fields.Packet;
        decoder.Decode(new FakeEventView("Packet", names, values), out _); // proves the layout
        var bytes = RawPacket(values);
        bytes[12] = 7; // direction
        Assert.Equal(DecodeOutcome.Malformed, decoder.Decode(new FakeEventView("Packet", names, values, raw: bytes), out _));
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("Packet", names, values, raw: bytes[..40]), out var fallback));
        Assert.Equal(60000U, Assert.IsType<PacketEvent>(fallback).Bytes);
    }

    [Fact]
    public void Decode_FieldsOfOtherSizes_NeverReadRaw()
    {
        var values = PacketValues("eventpipe");
        values[2] = 1U; // Direction as UInt32: same names, different layout
        var names = ProviderContract.Fields.Packet;
        var bytes = RawPacket(PacketValues("eventpipe"));
        bytes[12] = 9; // would be malformed if the bytes were read
        var decoder = new ContractDecoder();
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("Packet", names, values, raw: bytes), out _));
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(new FakeEventView("Packet", names, values, raw: bytes), out _));
    }

    private readonly struct ThrowingView : IEventView
    {
        public int ProcessId => 0;
        public string ProviderName => ProviderContract.ProviderName;
        public Guid ProviderGuid => ProviderContract.ProviderGuid;
        public string EventName => "Packet";
        public int EventId => 0;
        public long TimestampUs => 0;
        public string[] PayloadNames => ProviderContract.Fields.Packet;
        public object? PayloadValue(int index) => throw new InvalidOperationException("boom");
        public bool TryGetPayload(out ReadOnlySpan<byte> payload)
        {
            payload = default;
            return false;
        }
    }
}
