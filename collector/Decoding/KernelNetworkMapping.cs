// The pure mapping from one Kernel-Network event to a KernelNetworkRecord: byte order and address family are
// settled here, and only here. Table-tested with the value types TDH produces for the manifest.
using System.Buffers.Binary;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Maps Kernel-Network events; stateless.</summary>
public static class KernelNetworkMapping
{
    /// <summary>
    /// Maps one event. Decoded: <paramref name="record"/> is set. Ignored: a known event with nothing to store.
    /// Unknown: an ID outside the network tasks. Malformed: a field missing or of the wrong type.
    /// </summary>
    public static DecodeOutcome Map<TView>(in TView view, out KernelNetworkRecord record) where TView : IEventView
    {
        record = default;
        var described = KernelNetworkEvents.Describe(view.EventId);
        if (described is null) return DecodeOutcome.Unknown;
        var (kind, protocol, ipv6) = described.Value;
        if (kind == KernelNetworkEvents.Kind.Ignored) return DecodeOutcome.Ignored;
        // Fields are found by name, so no field order is assumed. Not yet measured on a busy host: the driver's path
        // (ContractDecoder, raw payloads) is the one tuned for rate.
        if (!FieldValue.TryUnsigned(EventViews.Field(view, "PID"), uint.MaxValue, out var pid)
            || !FieldValue.TryUnsigned(EventViews.Field(view, "size"), uint.MaxValue, out var size)
            || !TryAddress(EventViews.Field(view, "saddr"), ipv6, out var local)
            || !TryAddress(EventViews.Field(view, "daddr"), ipv6, out var remote)
            || !FieldValue.TryUnsigned(EventViews.Field(view, "sport"), ushort.MaxValue, out var sport)
            || !FieldValue.TryUnsigned(EventViews.Field(view, "dport"), ushort.MaxValue, out var dport))
            return DecodeOutcome.Malformed;
        // outType Port: the UInt16 holds the port in network byte order.
        record = new KernelNetworkRecord(kind, protocol, (uint)pid, (uint)size, local,
            BinaryPrimitives.ReverseEndianness((ushort)sport), remote, BinaryPrimitives.ReverseEndianness((ushort)dport));
        return DecodeOutcome.Decoded;
    }

    /// <summary>IPv4: a UInt32 whose little-endian bytes are the address in network order. IPv6: 16 bytes.</summary>
    private static bool TryAddress(object? value, bool ipv6, out NetAddress address)
    {
        address = default;
        if (ipv6) return value is byte[] { Length: 16 } && FieldValue.TryAddress(value, out address);
        if (!FieldValue.TryUnsigned(value, uint.MaxValue, out var raw)) return false;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)raw);
        address = new NetAddress(0, 0xFFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(bytes));
        return true;
    }
}
