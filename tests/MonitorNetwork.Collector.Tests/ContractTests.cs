// The collector's side of the contract check: its constants and the test emitter both match schema/events.json,
// and the provider GUID is the name hash.
using System.Diagnostics.Tracing;
using System.Reflection;
using System.Text.Json;
using Microsoft.Diagnostics.Tracing.Session;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ContractTests
{
    private static readonly JsonElement s_contract = JsonDocument.Parse(File.ReadAllText(RepoFiles.PathOf("schema", "events.json"))).RootElement;

    private static IEnumerable<JsonElement> ContractEvents => s_contract.GetProperty("events").EnumerateArray();

    [Fact]
    public void ProviderGuid_ComputedFromName_MatchesContractAndConstant()
    {
        var computed = TraceEventProviders.GetEventSourceGuidFromName(ProviderContract.ProviderName);
        Assert.Equal(new Guid("4917cfb1-f0b6-5dd0-3607-3eb1a4b61c4b"), computed);
        Assert.Equal(computed, ProviderContract.ProviderGuid);
        Assert.Equal(computed, Guid.Parse(s_contract.GetProperty("provider").GetProperty("guid").GetString()!));
        Assert.Equal(ProviderContract.ProviderName, s_contract.GetProperty("provider").GetProperty("name").GetString());
        Assert.Equal(computed, EventSource.GetGuid(typeof(TestEmitter)));
    }

    [Fact]
    public void ContractVersion_IsTheOneTheCollectorReads()
    {
        Assert.Equal(ProviderContract.ContractVersion, s_contract.GetProperty("version").GetInt32());
        Assert.True(s_contract.GetProperty("versionHistory").TryGetProperty(ProviderContract.ContractVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), out _));
    }

    [Fact]
    public void Keywords_MatchContract()
    {
        var k = s_contract.GetProperty("keywords");
        Assert.Equal(ProviderContract.Keywords.Packet, k.GetProperty("Packet").GetUInt64());
        Assert.Equal(ProviderContract.Keywords.Flow, k.GetProperty("Flow").GetUInt64());
        Assert.Equal(ProviderContract.Keywords.Health, k.GetProperty("Health").GetUInt64());
    }

    [Fact]
    public void DecoderFieldLists_MatchContractNamesAndOrder()
    {
        var decoderFields = typeof(ProviderContract.Fields).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => f.Name, f => (string[])f.GetValue(null)!);
        // Version 1's FlowDeleted, still read from older recordings: the FlowId and version 2's totals.
        Assert.True(decoderFields.Remove("FlowDeletedVersion1", out var version1));
        Assert.Equal(ProviderContract.Fields.FlowDeleted.Take(1).Concat(ProviderContract.Fields.FlowDeleted.TakeLast(4)), version1);
        Assert.Equal(ContractEvents.Select(e => e.GetProperty("name").GetString()!).Order(), decoderFields.Keys.Order());
        foreach (var e in ContractEvents)
        {
            var names = e.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray();
            Assert.Equal(names, decoderFields[e.GetProperty("name").GetString()!]);
        }
    }

    public static TheoryData<string> EventNames() => new(ContractEvents.Select(e => e.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(EventNames))]
    public void TestEmitter_EventMatchesContract(string eventName)
    {
        var e = ContractEvents.Single(x => x.GetProperty("name").GetString() == eventName);
        var method = typeof(TestEmitter).GetMethod(eventName)!;
        var attribute = method.GetCustomAttribute<EventAttribute>()!;
        Assert.Equal(e.GetProperty("level").GetInt32(), (int)attribute.Level);
        Assert.Equal(s_contract.GetProperty("keywords").GetProperty(e.GetProperty("keyword").GetString()!).GetInt64(), (long)attribute.Keywords);
        var parameters = method.GetParameters();
        var fields = e.GetProperty("fields").EnumerateArray().ToArray();
        Assert.Equal(fields.Select(f => f.GetProperty("name").GetString()), parameters.Select(p => p.Name));
        for (var i = 0; i < fields.Length; i++)
            Assert.Equal(EmitterTypeFor(fields[i].GetProperty("type").GetString()!), parameters[i].ParameterType);
    }

    /// <summary>The EventPipe stand-in type for each contract type (addresses travel as Guid).</summary>
    private static Type EmitterTypeFor(string contractType) => contractType switch
    {
        "UInt8" => typeof(byte),
        "UInt16" => typeof(ushort),
        "UInt32" => typeof(uint),
        "UInt64" => typeof(ulong),
        "IPv6Address" => typeof(Guid),
        "CountedWideString" => typeof(string),
        _ => throw new InvalidOperationException("contract type without an emitter mapping: " + contractType),
    };

    [Theory]
    [InlineData("flow", 0x2UL)]
    [InlineData("flow,packet", 0x3UL)]
    [InlineData(" Health , packet ", 0x5UL)]
    [InlineData("all", 0x7UL)]
    public void ParseKeywords_ValidList_GivesMask(string list, ulong mask) => Assert.Equal(mask, ProviderContract.ParseKeywords(list));

    [Theory]
    [InlineData("")]
    [InlineData("flows")]
    [InlineData("flow,bogus")]
    public void ParseKeywords_BadList_Throws(string list) => Assert.Throws<FormatException>(() => ProviderContract.ParseKeywords(list));
}
