// Raw Microsoft-Windows-Kernel-Network events as TDH hands them to the callback (manifest field names and types,
// addresses and ports in their wire forms), for the decoder's tables and the live-path tests.
using System.Buffers.Binary;
using System.Net;
using MonitorNetwork.Collector.Decoding;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class KernelNetworkViews
{
    public static readonly string[] Fields = ["PID", "size", "daddr", "saddr", "dport", "sport", "seqnum", "connid"];

    /// <summary>An IPv4 address as TDH gives a UInt32 with outType IPv4: its little-endian bytes are the address.</summary>
    public static int V4(string address) => BinaryPrimitives.ReadInt32LittleEndian(IPAddress.Parse(address).GetAddressBytes());

    /// <summary>A port as TDH gives a UInt16 with outType Port: network byte order in a short.</summary>
    public static short Port(ushort port) => unchecked((short)BinaryPrimitives.ReverseEndianness(port));

    /// <summary>One TCP/UDP event by manifest id (10 send, 11 receive, 12 connect, 13 disconnect, 15 accept, 42/43 UDP).</summary>
    public static FakeEventView Event(int id, int pid, int size, object daddr, object saddr, ushort dport, ushort sport, long ts = 1_767_225_600_000_000) =>
        new("KERNEL_NETWORK_TASK_TCPIP", Fields, [pid, size, daddr, saddr, Port(dport), Port(sport), 0, 0],
            KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.ProviderName, ts, eventId: id);
}
