// Normalises field values across transports: ETW/TDH hands out signed integers and byte[] addresses,
// EventPipe hands out unsigned integers and Guid addresses. Conversions are unchecked so that
// 0xFFFF arriving as short -1 stays 65535 (Convert.ToUInt16 would throw).
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Converts raw payload values to contract types, never throwing.</summary>
public static class FieldValue
{
    /// <summary>Reads an unsigned integer of at most <paramref name="maxValue"/>, re-interpreting signed transports' bits.</summary>
    public static bool TryUnsigned(object? value, ulong maxValue, out ulong result)
    {
        switch (value)
        {
            case ulong v: result = v; break;
            case long v: result = unchecked((ulong)v); break;
            case uint v: result = v; break;
            case int v: result = unchecked((uint)v); break;
            case ushort v: result = v; break;
            case short v: result = unchecked((ushort)v); break;
            case byte v: result = v; break;
            case sbyte v: result = unchecked((byte)v); break;
            default: result = 0; return false;
        }
        return result <= maxValue;
    }

    /// <summary>Reads a 16-byte address from byte[16] (ETW), Guid (EventPipe) or byte[4] (a bare IPv4).</summary>
    public static bool TryAddress(object? value, out NetAddress address)
    {
        switch (value)
        {
            case byte[] { Length: 16 } bytes:
                address = NetAddress.FromBytes(bytes);
                return true;
            case byte[] { Length: 4 } v4:
                address = new NetAddress(0, 0xFFFF_0000_0000UL | ((ulong)v4[0] << 24) | ((ulong)v4[1] << 16) | ((ulong)v4[2] << 8) | v4[3]);
                return true;
            case Guid guid:
                Span<byte> bytes16 = stackalloc byte[16];
                guid.TryWriteBytes(bytes16);
                address = NetAddress.FromBytes(bytes16);
                return true;
            default:
                address = default;
                return false;
        }
    }

    /// <summary>Reads a string of at most <paramref name="maxChars"/> characters; TraceEvent's lookup-error strings are rejected.</summary>
    public static bool TryString(object? value, int maxChars, out string result)
    {
        if (value is string s && s.Length <= maxChars && !s.StartsWith("<<<EXCEPTION_DURING_VALUE_LOOKUP", StringComparison.Ordinal))
        {
            result = s;
            return true;
        }
        result = "";
        return false;
    }
}
