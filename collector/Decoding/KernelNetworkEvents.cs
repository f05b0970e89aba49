// The Microsoft-Windows-Kernel-Network provider as TDH decodes it (manifest events; field names and types from the
// provider's manifest, as listed by `logman query providers Microsoft-Windows-Kernel-Network` and wevtutil gp):
//   TCPv4 10 send, 11 recv, 12 connect, 13 disconnect, 14 retransmit, 15 accept, 16 reconnect, 17 fail, 18 copy;
//   TCPv6 26-34 in the same order; UDPv4 42 send, 43 recv; UDPv6 58 send, 59 recv.
// Every event starts PID (UInt32), size (UInt32), daddr, saddr (UInt32 with outType IPv4 for v4, 16-byte Binary
// for v6), dport, sport (UInt16 with outType Port: network byte order). TDH hands these to TraceEvent as int,
// int, int or byte[16], and short.
namespace MonitorNetwork.Collector.Decoding;

/// <summary>Identity, keywords and event IDs of Microsoft-Windows-Kernel-Network.</summary>
public static class KernelNetworkEvents
{
    /// <summary>Provider name.</summary>
    public const string ProviderName = "Microsoft-Windows-Kernel-Network";
    /// <summary>{7DD42A49-5329-4832-8DFD-43D979153A88}.</summary>
    public static readonly Guid ProviderGuid = new("7DD42A49-5329-4832-8DFD-43D979153A88");
    /// <summary>KERNEL_NETWORK_KEYWORD_IPV4 | KERNEL_NETWORK_KEYWORD_IPV6.</summary>
    public const ulong Keywords = 0x10 | 0x20;

    /// <summary>What an event means for our tables.</summary>
    public enum Kind
    {
        /// <summary>Data sent: an outbound packet.</summary>
        Send,
        /// <summary>Data received: an inbound packet.</summary>
        Receive,
        /// <summary>Connection attempted: an outbound flow.</summary>
        Connect,
        /// <summary>Connection accepted: an inbound flow.</summary>
        Accept,
        /// <summary>Connection closed: the flow ends.</summary>
        Disconnect,
        /// <summary>Retransmit, reconnect, failure, copy: nothing to store.</summary>
        Ignored,
    }

    /// <summary>The kind, protocol and address family of each event ID, or null for IDs outside the network tasks.</summary>
    public static (Kind Kind, byte Protocol, bool IPv6)? Describe(int eventId) => eventId switch
    {
        10 => (Kind.Send, 6, false),
        11 => (Kind.Receive, 6, false),
        12 => (Kind.Connect, 6, false),
        13 => (Kind.Disconnect, 6, false),
        15 => (Kind.Accept, 6, false),
        14 or 16 or 17 or 18 => (Kind.Ignored, 6, false),
        26 => (Kind.Send, 6, true),
        27 => (Kind.Receive, 6, true),
        28 => (Kind.Connect, 6, true),
        29 => (Kind.Disconnect, 6, true),
        31 => (Kind.Accept, 6, true),
        30 or 32 or 33 or 34 => (Kind.Ignored, 6, true),
        42 => (Kind.Send, 17, false),
        43 => (Kind.Receive, 17, false),
        49 => (Kind.Ignored, 17, false), // UDP connection attempt failed (IPv4 and IPv6; the manifest's template has no address)
        58 => (Kind.Send, 17, true),
        59 => (Kind.Receive, 17, true),
        _ => null,
    };
}
