// The Windows providers' decoders checked against the real manifests in ../shared/manifests: every event id, field
// name, field order and inType that KernelNetworkMapping, KernelProcessDecoder and its raw ProcessStart v3 parser
// rely on. Fixtures are built from the manifests' own templates, so the decoders see real layouts.
using System.Buffers.Binary;
using System.Text;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ManifestTests
{
    private static readonly string[] s_networkPrefix = ["PID", "size", "daddr", "saddr", "dport", "sport"];

    public static TheoryData<int> NetworkEventIds() =>
        new(Enumerable.Range(0, 100).Where(id => KernelNetworkEvents.Describe(id) is { Kind: not KernelNetworkEvents.Kind.Ignored }));

    [Fact]
    public void KernelNetwork_EveryManifestEvent_IsDescribed_NoneDecodesAsUnknown()
    {
        // Event 49 (UDP connection attempt failed) was counted as unknown on every session that saw one.
        var m = EtwManifest.Load(KernelNetworkEvents.ProviderName);
        Assert.NotEmpty(m.Events);
        Assert.All(m.Events, e => Assert.True(KernelNetworkEvents.Describe(e.Id) is not null, $"manifest event {e.Id} is not described"));
        Assert.Equal(KernelNetworkEvents.Kind.Ignored, KernelNetworkEvents.Describe(49)!.Value.Kind);
    }

    [Fact]
    public void KernelNetwork_KeywordMasks_AreTheManifests()
    {
        var m = EtwManifest.Load(KernelNetworkEvents.ProviderName);
        Assert.Equal(0x10UL, m.KeywordMasks["KERNEL_NETWORK_KEYWORD_IPV4"]);
        Assert.Equal(0x20UL, m.KeywordMasks["KERNEL_NETWORK_KEYWORD_IPV6"]);
        Assert.Equal(KernelNetworkEvents.Keywords, m.KeywordMasks.Values.Aggregate(0UL, (a, b) => a | b));
    }

    [Theory]
    [MemberData(nameof(NetworkEventIds))]
    public void KernelNetwork_EveryMappedEvent_HasTheFieldsTheMappingReads(int id)
    {
        var m = EtwManifest.Load(KernelNetworkEvents.ProviderName);
        var (_, _, ipv6) = KernelNetworkEvents.Describe(id)!.Value;
        var e = m.Event(id);
        Assert.NotNull(e);
        Assert.Contains(ipv6 ? "KERNEL_NETWORK_KEYWORD_IPV6" : "KERNEL_NETWORK_KEYWORD_IPV4", e.Keywords, StringComparison.Ordinal);
        Assert.Equal(s_networkPrefix, e.Fields.Take(6).Select(f => f.Name));
        var address = ipv6 ? "Binary" : "UInt32";
        Assert.Equal(["UInt32", "UInt32", address, address, "UInt16", "UInt16"], e.Fields.Take(6).Select(f => f.InType));
    }

    /// <summary>A value of each inType as TDH hands it to TraceEvent (signed for the unsigned integer types).</summary>
    private static object ValueFor(ManifestField f, int i, bool ipv6) => (f.Name, f.InType) switch
    {
        ("daddr", "Binary") => new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 },
        ("saddr", "Binary") => new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
        ("daddr", _) => unchecked((int)0x0900_710B), // 11.113.0.9: the little-endian bytes are the address
        ("saddr", _) => 0x0100_000A,                 // 10.0.0.1
        ("dport", _) => unchecked((short)0xBB01),    // 443 in network byte order
        ("sport", _) => unchecked((short)0x3930),    // 12345
        (_, "UInt16") => (short)i,
        (_, "UInt32") => i + (ipv6 ? 100 : 0),
        _ => throw new InvalidOperationException("no fixture value for " + f.InType),
    };

    [Theory]
    [MemberData(nameof(NetworkEventIds))]
    public void KernelNetwork_FixtureBuiltFromTheTemplate_Decodes(int id)
    {
        var m = EtwManifest.Load(KernelNetworkEvents.ProviderName);
        var e = m.Event(id)!;
        var ipv6 = KernelNetworkEvents.Describe(id)!.Value.IPv6;
        var view = new FakeEventView("KernelNetwork/" + id, e.Fields.Select(f => f.Name).ToArray(),
            e.Fields.Select((f, i) => ValueFor(f, i, ipv6)).ToArray(), KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.ProviderName, eventId: id);
        var outcome = new KernelNetworkDecoder().Decode(view, out var decoded);
        Assert.Contains(outcome, new[] { DecodeOutcome.Decoded, DecodeOutcome.Ignored }); // a disconnect of an unknown connection stores nothing
        if (decoded is PacketEvent p)
        {
            Assert.Equal(ipv6 ? "2001:db8::1" : "10.0.0.1", p.LocalAddress.ToString());
            Assert.Equal(ipv6 ? "2001:db8::9" : "11.113.0.9", p.RemoteAddress.ToString());
            Assert.Equal((443, 12345), (p.RemotePort, p.LocalPort));
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(1, 3)]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    public void KernelProcess_StartAndStop_HaveTheFieldsTheDecoderReads(int id, int version)
    {
        var e = EtwManifest.Load(KernelProcessDecoder.ProviderName).Event(id, version);
        Assert.NotNull(e);
        var byName = e.Fields.ToDictionary(f => f.Name, f => f.InType);
        Assert.Equal("UInt32", byName["ProcessID"]);
        Assert.Equal("FILETIME", byName["CreateTime"]);
        Assert.Contains(byName["ImageName"], new[] { "UnicodeString", "AnsiString" });
        Assert.Equal("ProcessID", e.Fields[0].Name);
    }

    [Fact]
    public void KernelProcess_StartV3_HasTheLayoutTheRawImageParserAssumes()
    {
        var e = EtwManifest.Load(KernelProcessDecoder.ProviderName).Event(1, 3)!;
        // 48 bytes of fixed fields, then the SID, then ImageName: the offsets ImageAfterMandatoryLabel uses.
        (string, string)[] expected =
        [
            ("ProcessID", "UInt32"), ("ProcessSequenceNumber", "UInt64"), ("CreateTime", "FILETIME"), ("ParentProcessID", "UInt32"),
            ("ParentProcessSequenceNumber", "UInt64"), ("SessionID", "UInt32"), ("Flags", "UInt32"),
            ("ProcessTokenElevationType", "UInt32"), ("ProcessTokenIsElevated", "UInt32"), ("MandatoryLabel", "SID"), ("ImageName", "UnicodeString"),
        ];
        Assert.Equal(expected, e.Fields.Take(expected.Length).Select(f => (f.Name, f.InType)));
        Assert.Equal(48, e.Fields.Take(9).Sum(f => f.InType switch { "UInt64" or "FILETIME" => 8, _ => 4 }));
    }

    [Fact]
    public void KernelProcess_StartV3PayloadBuiltFromTheTemplate_YieldsTheImage()
    {
        var e = EtwManifest.Load(KernelProcessDecoder.ProviderName).Event(1, 3)!;
        var payload = new List<byte>();
        var created = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
        foreach (var f in e.Fields.TakeWhile(f => f.Name != "ImageName"))
        {
            switch (f.InType)
            {
                case "UInt32": payload.AddRange(BitConverter.GetBytes(f.Name == "ProcessID" ? 4321u : 0u)); break;
                case "UInt64": payload.AddRange(BitConverter.GetBytes(0UL)); break;
                case "FILETIME": payload.AddRange(BitConverter.GetBytes(created.ToFileTimeUtc())); break;
                case "SID": payload.AddRange([1, 1, 0, 0, 0, 0, 0, 16, 0x00, 0x30, 0, 0]); break; // S-1-16-12288 (High)
                default: throw new InvalidOperationException(f.InType);
            }
        }
        payload.AddRange(Encoding.Unicode.GetBytes(@"\Device\HarddiskVolume3\Windows\notepad.exe" + "\0"));
        // TraceEvent drops a SID and every field after it: the view has the names but no ImageName value.
        var names = e.Fields.Select(f => f.Name).ToArray();
        object?[] values = [4321, 0L, created, 0, 0L, 0, 0, 0, 0, null, null, null, null, null, null];
        var view = new FakeEventView("ProcessStart", names, values[..names.Length], KernelProcessDecoder.ProviderGuid, KernelProcessDecoder.ProviderName,
            raw: payload.ToArray(), eventId: 1);
        Assert.Equal(DecodeOutcome.Decoded, new KernelProcessDecoder().Decode(view, out var decoded));
        var started = Assert.IsType<ProcessStartedEvent>(decoded);
        Assert.Equal(4321u, started.ProcessId);
        Assert.Equal(@"\Device\HarddiskVolume3\Windows\notepad.exe", started.ImagePath);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(payload.ToArray()), started.ProcessId);
    }
}
