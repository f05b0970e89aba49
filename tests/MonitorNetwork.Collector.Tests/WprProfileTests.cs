// The WPR profile users record with must enable the contract's provider GUID with the contract's keywords.
using System.Xml.Linq;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class WprProfileTests
{
    private static readonly XDocument s_profile = XDocument.Load(RepoFiles.PathOf("recording", "MonitorNetwork.wprp"));

    [Fact]
    public void EveryEventProvider_NamesTheContractGuid()
    {
        var providers = s_profile.Descendants("EventProvider").ToList();
        Assert.NotEmpty(providers);
        Assert.All(providers, p => Assert.Equal(ProviderContract.ProviderGuid, Guid.Parse(p.Attribute("Name")!.Value)));
    }

    [Fact]
    public void VerboseProfile_EnablesEveryKeywordAtLevel5()
    {
        var all = s_profile.Descendants("EventProvider").Single(p => p.Attribute("Id")!.Value == "EventProvider_MonitorNetwork_All");
        Assert.Equal("5", all.Attribute("Level")!.Value);
        Assert.Equal(ProviderContract.Keywords.All, Convert.ToUInt64(all.Descendants("Keyword").Single().Attribute("Value")!.Value, 16));
    }

    [Fact]
    public void Profiles_ComeInFileAndMemoryPairs_AndReferenceDefinedProviders()
    {
        var profiles = s_profile.Descendants("Profile").Select(p => p.Attribute("Id")!.Value).ToHashSet();
        Assert.Equal(["MonitorNetwork.Light.File", "MonitorNetwork.Light.Memory", "MonitorNetwork.Verbose.File", "MonitorNetwork.Verbose.Memory"], profiles.Order());
        var defined = s_profile.Descendants("EventProvider").Select(p => p.Attribute("Id")!.Value).ToHashSet();
        Assert.All(s_profile.Descendants("EventProviderId"), r => Assert.Contains(r.Attribute("Value")!.Value, defined));
    }
}
