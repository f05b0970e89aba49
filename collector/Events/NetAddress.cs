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

    /// <summary>
    /// Parses only the forms a DNS client or a person writes: IPv4 as exactly four decimal parts 0-255 without leading
    /// zeros ("192.168.1.10"), IPv6 as RFC 4291 text (with "::" and an embedded IPv4 allowed) and no zone. The loose
    /// forms <see cref="IPAddress.TryParse(string, out IPAddress)"/> also accepts ("1", "127.1", "0x7f.0.0.1",
    /// "010.0.0.1", "fe80::1%eth0") are refused: they read as another address than a reader sees.
    /// </summary>
    public static bool TryParseStrict(string? text, out NetAddress address)
    {
        address = default;
        if (string.IsNullOrEmpty(text) || text.Length > 45) return false;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal)) return false;
            var lastColon = text.LastIndexOf(':');
            var tail = text[(lastColon + 1)..];
            if (tail.Contains('.', StringComparison.Ordinal) && !IsDottedQuad(tail)) return false;
            foreach (var c in text)
            {
                if (!(char.IsAsciiHexDigit(c) || c is ':' or '.')) return false;
            }
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return false;
            address = FromIPAddress(v6);
            return true;
        }
        if (!IsDottedQuad(text) || !IPAddress.TryParse(text, out var v4)) return false;
        address = FromIPAddress(v4);
        return true;
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0')) return false;
            foreach (var c in p)
            {
                if (!char.IsAsciiDigit(c)) return false;
            }
            if (int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) > 255) return false;
        }
        return true;
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
