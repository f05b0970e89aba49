using System.Net;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Tests;

public class NetAddressTests
{
    [Theory]
    [InlineData("192.168.1.10", "192.168.1.10")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0010", "2001:db8::10")]
    [InlineData("::1", "::1")]
    [InlineData("::", "::")]
    [InlineData("fe80::1", "fe80::1")]
    public void ToString_GivesCanonicalText(string input, string expected) =>
        Assert.Equal(expected, NetAddress.FromIPAddress(IPAddress.Parse(input)).ToString());

    [Fact]
    public void FromBytes_WriteBytes_RoundTrip()
    {
        var bytes = Enumerable.Range(1, 16).Select(i => (byte)(i * 13)).ToArray();
        var copy = new byte[16];
        NetAddress.FromBytes(bytes).WriteBytes(copy);
        Assert.Equal(bytes, copy);
    }

    [Fact]
    public void IsIPv4Mapped_OnlyForFfffPrefix()
    {
        Assert.True(NetAddress.FromIPAddress(IPAddress.Parse("1.2.3.4")).IsIPv4Mapped);
        Assert.False(NetAddress.FromIPAddress(IPAddress.Parse("::1.2.3.4")).IsIPv4Mapped);
    }
}
