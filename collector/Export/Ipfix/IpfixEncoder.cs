// IPFIX (RFC 7011) messages for flow segments: two templates (IPv4 and IPv6) of standard information elements
// (IANA registry) plus our per-process elements under an enterprise number, and data records packed into messages
// that fit one UDP datagram on any path (1,400 bytes). A segment becomes up to two unidirectional records, one per
// direction that moved (local to remote carries what was sent, remote to local what was received): nfdump, ntopng,
// Akvorado and Elastic's NetFlow input all read unidirectional records, while RFC 5103's reverse elements are read by
// few of them. The per-process detail IANA has no element for (process id, the program's path, the process's start
// and the flow's own start, so that a collector can join a flow's segments) goes into enterprise-specific elements,
// documented in schema/ipfix.md with a template a collector can load.
using System.Buffers.Binary;
using System.Text;

namespace MonitorNetwork.Collector.Export.Ipfix;

/// <summary>One IPFIX data record: one direction of one flow segment.</summary>
/// <param name="V6">IPv6 addresses (else IPv4, the low 4 bytes of v4-mapped).</param>
/// <param name="Source">Source address, 16 bytes (v4-mapped for IPv4).</param>
/// <param name="Destination">Destination address, 16 bytes.</param>
/// <param name="SourcePort">Source transport port.</param>
/// <param name="DestinationPort">Destination transport port.</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Octets">Payload bytes in this segment and direction (octetDeltaCount).</param>
/// <param name="Packets">Packets in this segment and direction (packetDeltaCount).</param>
/// <param name="StartMs">The segment's start, Unix milliseconds (flowStartMilliseconds).</param>
/// <param name="EndMs">The segment's end (flowEndMilliseconds).</param>
/// <param name="EndReason">flowEndReason: 2 active timeout (the flow goes on), 3 end of flow.</param>
/// <param name="Egress">flowDirection: true egress (sent by this host), false ingress.</param>
/// <param name="ApplicationName">The program's file name (applicationName).</param>
/// <param name="ProcessId">The process id (enterprise element 1).</param>
/// <param name="ImagePath">The program's full path (enterprise element 2).</param>
/// <param name="FlowOriginMs">The flow's own start, Unix ms, the same on each of its segments (enterprise element 3).</param>
/// <param name="ProcessStartMs">The process's start, Unix ms, 0 when unknown (enterprise element 4).</param>
public sealed record IpfixRecord(bool V6, byte[] Source, byte[] Destination, ushort SourcePort, ushort DestinationPort, byte Protocol,
    ulong Octets, ulong Packets, long StartMs, long EndMs, byte EndReason, bool Egress, string ApplicationName,
    uint ProcessId, string ImagePath, long FlowOriginMs, long ProcessStartMs);

/// <summary>Builds IPFIX messages.</summary>
public static class IpfixEncoder
{
    /// <summary>IPFIX's version number.</summary>
    public const ushort Version = 10;
    /// <summary>Template ids (256 and up are for data templates).</summary>
    public const ushort TemplateV4 = 256, TemplateV6 = 257;
    /// <summary>
    /// The enterprise number of our elements: 32473, which RFC 5612 reserves for documentation and examples, since the
    /// project has no Private Enterprise Number of its own. A deployment that mixes exporters should register one.
    /// </summary>
    public const uint EnterpriseNumber = 32473;
    /// <summary>Our enterprise elements.</summary>
    public const ushort ProcessIdElement = 1, ImagePathElement = 2, FlowOriginElement = 3, ProcessStartElement = 4;
    /// <summary>Largest message: one UDP datagram on any path without fragmentation.</summary>
    public const int MaxMessageBytes = 1400;

    private const ushort Variable = 65535;

    /// <summary>(element id, length, enterprise) of a template, in record order.</summary>
    public static IReadOnlyList<(ushort Id, ushort Length, uint Enterprise)> Fields(bool v6) =>
    [
        (v6 ? (ushort)27 : (ushort)8, v6 ? (ushort)16 : (ushort)4, 0),   // sourceIPv6Address / sourceIPv4Address
        (v6 ? (ushort)28 : (ushort)12, v6 ? (ushort)16 : (ushort)4, 0),  // destinationIPv6Address / destinationIPv4Address
        (7, 2, 0),      // sourceTransportPort
        (11, 2, 0),     // destinationTransportPort
        (4, 1, 0),      // protocolIdentifier
        (1, 8, 0),      // octetDeltaCount
        (2, 8, 0),      // packetDeltaCount
        (152, 8, 0),    // flowStartMilliseconds
        (153, 8, 0),    // flowEndMilliseconds
        (136, 1, 0),    // flowEndReason
        (61, 1, 0),     // flowDirection
        (ProcessIdElement, 4, EnterpriseNumber),
        (FlowOriginElement, 8, EnterpriseNumber),
        (ProcessStartElement, 8, EnterpriseNumber),
        (96, Variable, 0),                              // applicationName
        (ImagePathElement, Variable, EnterpriseNumber),
    ];

    /// <summary>A Template Set holding both templates (set id 2).</summary>
    public static byte[] TemplateSet()
    {
        var body = new List<byte>();
        foreach (var (id, v6) in new[] { (TemplateV4, false), (TemplateV6, true) })
        {
            var fields = Fields(v6);
            Append16(body, id);
            Append16(body, (ushort)fields.Count);
            foreach (var (element, length, enterprise) in fields)
            {
                Append16(body, (ushort)(enterprise != 0 ? element | 0x8000 : element));
                Append16(body, length);
                if (enterprise != 0) Append32(body, enterprise);
            }
        }
        return Set(2, body);
    }

    /// <summary>A Template Set withdrawing both templates (field count 0), for a clean end over TCP.</summary>
    public static byte[] TemplateWithdrawal()
    {
        var body = new List<byte>();
        foreach (var id in new[] { TemplateV4, TemplateV6 })
        {
            Append16(body, id);
            Append16(body, 0);
        }
        return Set(2, body);
    }

    /// <summary>One record's bytes under its template.</summary>
    public static byte[] Record(IpfixRecord r)
    {
        var b = new List<byte>(96);
        if (r.V6)
        {
            b.AddRange(r.Source);
            b.AddRange(r.Destination);
        }
        else
        {
            b.AddRange(r.Source.AsSpan(12, 4).ToArray());
            b.AddRange(r.Destination.AsSpan(12, 4).ToArray());
        }
        Append16(b, r.SourcePort);
        Append16(b, r.DestinationPort);
        b.Add(r.Protocol);
        Append64(b, r.Octets);
        Append64(b, r.Packets);
        Append64(b, (ulong)r.StartMs);
        Append64(b, (ulong)r.EndMs);
        b.Add(r.EndReason);
        b.Add(r.Egress ? (byte)1 : (byte)0);
        Append32(b, r.ProcessId);
        Append64(b, (ulong)r.FlowOriginMs);
        Append64(b, (ulong)Math.Max(0, r.ProcessStartMs));
        AppendVariable(b, r.ApplicationName);
        AppendVariable(b, r.ImagePath);
        return b.ToArray();
    }

    /// <summary>A Data Set of records that share a template.</summary>
    public static byte[] DataSet(ushort template, IEnumerable<byte[]> records)
    {
        var body = new List<byte>();
        foreach (var r in records) body.AddRange(r);
        return Set(template, body);
    }

    /// <summary>A message: the header (RFC 7011 3.1) and its sets.</summary>
    public static byte[] Message(uint exportTimeSeconds, uint sequence, uint domain, IEnumerable<byte[]> sets)
    {
        var body = sets.SelectMany(s => s).ToArray();
        var message = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, Version);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)message.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), exportTimeSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), domain);
        body.CopyTo(message, 16);
        return message;
    }

    private static byte[] Set(ushort id, List<byte> body)
    {
        var set = new byte[4 + body.Count];
        BinaryPrimitives.WriteUInt16BigEndian(set, id);
        BinaryPrimitives.WriteUInt16BigEndian(set.AsSpan(2), (ushort)set.Length);
        body.CopyTo(set, 4);
        return set;
    }

    /// <summary>RFC 7011 7: a length octet, or 255 and a 16-bit length; text is UTF-8, cut to what fits a message.</summary>
    private static void AppendVariable(List<byte> b, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > 512) bytes = bytes[^512..]; // a path's end names the program; the message must stay small
        if (bytes.Length < 255) b.Add((byte)bytes.Length);
        else
        {
            b.Add(255);
            Append16(b, (ushort)bytes.Length);
        }
        b.AddRange(bytes);
    }

    private static void Append16(List<byte> b, ushort v) { b.Add((byte)(v >> 8)); b.Add((byte)v); }
    private static void Append32(List<byte> b, uint v) { Append16(b, (ushort)(v >> 16)); Append16(b, (ushort)v); }
    private static void Append64(List<byte> b, ulong v) { Append32(b, (uint)(v >> 32)); Append32(b, (uint)v); }
}
