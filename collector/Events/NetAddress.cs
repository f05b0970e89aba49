// A 16-byte network address kept as two integers, so packet events carry it without allocating.
using System.Buffers.Binary;
using System.Net;

namespace MonitorNetwork.Collector.Events;

/// <summary>
/// An IPv6 address in network byte order (IPv4 travels v4-mapped, ::ffff:a.b.c.d), as the contract sends it.
/// </summary>
public readonly record struct NetAddress(ulong High, ulong Low)
{
    /// <summary>Builds an address from exactly 16 bytes in network order.</summary>
    public static NetAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 16) throw new ArgumentException("an address is 16 bytes", nameof(bytes));
        return new NetAddress(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Builds an address from an <see cref="IPAddress"/>; IPv4 becomes v4-mapped.</summary>
    public static NetAddress FromIPAddress(IPAddress address)
    {
        var v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        Span<byte> bytes = stackalloc byte[16];
        v6.TryWriteBytes(bytes, out _);
        return FromBytes(bytes);
    }

    /// <summary>True for ::ffff:a.b.c.d.</summary>
    public bool IsIPv4Mapped => High == 0 && (Low >> 32) == 0xFFFF;

    /// <summary>Writes the 16 network-order bytes.</summary>
    public void WriteBytes(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    /// <summary>The address as <see cref="IPAddress"/>; v4-mapped addresses come back as IPv4.</summary>
    public IPAddress ToIPAddress()
    {
        if (IsIPv4Mapped)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)Low);
            return new IPAddress(v4);
        }
        Span<byte> bytes = stackalloc byte[16];
        WriteBytes(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>Canonical text: "192.168.1.10" for IPv4 and v4-mapped, RFC 5952 ("2001:db8::10") otherwise.</summary>
    public override string ToString() => ToIPAddress().ToString();
}
