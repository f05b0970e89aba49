// Turns raw events of the MonitorNetwork provider into our records. Keyed on provider and event name only;
// field positions are looked up once per event type and cached, because a live session delivers the
// same few event types millions of times. Packet and version 1's FlowDeleted have fixed-size fields: once the first event
// of a type shows its fields are the contract's, in order and of the contract's sizes, later events of that
// type are read straight from the payload bytes (the same layout through ETW and EventPipe) instead of through
// PayloadValue, which boxes every field (measured: bench decode). The two transports lay addresses out
// differently: EventPipe's test emitter sends each as a bare 16-byte Guid, while the driver's
// TraceLoggingIPv6Address is TlgInBINARY, written as a UInt16 length (16) and then the 16 bytes
// (TraceLoggingProvider.h: _tlgArgBinary(void, pValue, 16u, TlgInBINARY, (TlgOutIPV6))). Both are read raw.
using System.Buffers.Binary;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Decodes contract events from any <see cref="IEventView"/>. Not thread-safe: one per source thread.</summary>
public sealed class ContractDecoder : IEventDecoder
{
    /// <summary>Longest process path accepted: the Windows extended-length path limit.</summary>
    public const int MaxProcessPathChars = 32_767;

    private enum Kind { FlowEstablished, FlowStats, FlowDeleted, FlowDeletedVersion1, Packet, Health }

    /// <summary>Field positions of one event type, valid for the PayloadNames array they were computed from.</summary>
    private sealed record Layout(Kind Kind, string Name, string[] PayloadNames, int[] Index, string[] FieldNames)
    {
        /// <summary>Payload size when raw reading is proven safe for this type; 0 = not yet, -1 = never.</summary>
        public int RawSize { get; set; }

        /// <summary>The same payload with TraceLogging's UInt16 length before each 16-byte address.</summary>
        public int RawSizeWithLengths { get; set; }
    }

    /// <summary>Contract field sizes of the fixed-layout events, in order.</summary>
    private static readonly int[] s_packetSizes = [8, 4, 1, 1, 16, 2, 16, 2, 4];
    private static readonly int[] s_flowDeletedSizes = [8, 8, 8, 8, 8];

    private readonly Dictionary<string, Layout> _layouts = new(StringComparer.Ordinal);

    /// <summary>Decodes one event. Never throws: bad fields give <see cref="DecodeOutcome.Malformed"/>.</summary>
    public DecodeOutcome Decode<TView>(in TView view, out MonitorEvent? decoded) where TView : IEventView
    {
        decoded = null;
        try
        {
            if (!IsOurProvider(view)) return DecodeOutcome.OtherProvider;
            var layout = LayoutFor(view.EventName, view.PayloadNames);
            if (layout is null) return DecodeOutcome.Unknown;
            decoded = layout.Kind switch
            {
                Kind.Packet => DecodePacket(view, layout),
                Kind.FlowEstablished => DecodeFlowEstablished(view, layout),
                Kind.FlowStats => DecodeFlowStats(view, layout),
                Kind.FlowDeleted => DecodeFlowDeleted(view, layout),
                Kind.FlowDeletedVersion1 => DecodeFlowDeletedVersion1(view, layout),
                _ => DecodeHealth(view, layout),
            };
            return decoded is null ? DecodeOutcome.Malformed : DecodeOutcome.Decoded;
        }
#pragma warning disable CA1031 // The ETW callback must never see an exception; anything odd is a malformed event.
        catch (Exception)
#pragma warning restore CA1031
        {
            decoded = null;
            return DecodeOutcome.Malformed;
        }
    }

    private static bool IsOurProvider<TView>(in TView view) where TView : IEventView =>
        EventViews.IsFrom(view, ProviderContract.ProviderGuid, ProviderContract.ProviderName);

    private Layout? LayoutFor(string? eventName, string[]? payloadNames)
    {
        if (eventName is null) return null;
        payloadNames ??= [];
        if (_layouts.TryGetValue(eventName, out var cached) && ReferenceEquals(cached.PayloadNames, payloadNames))
            return cached;
        (Kind kind, string[] fields)? known = eventName switch
        {
            ProviderContract.Events.Packet => (Kind.Packet, ProviderContract.Fields.Packet),
            ProviderContract.Events.FlowEstablished => (Kind.FlowEstablished, ProviderContract.Fields.FlowEstablished),
            ProviderContract.Events.FlowStats => (Kind.FlowStats, ProviderContract.Fields.FlowStats),
            // Version 2 added the identity between FlowId and the totals; version 1 recordings still decode.
            ProviderContract.Events.FlowDeleted when Array.IndexOf(payloadNames, "ProcessId") >= 0 => (Kind.FlowDeleted, ProviderContract.Fields.FlowDeleted),
            ProviderContract.Events.FlowDeleted => (Kind.FlowDeletedVersion1, ProviderContract.Fields.FlowDeletedVersion1),
            ProviderContract.Events.DriverStarted => (Kind.Health, ProviderContract.Fields.DriverStarted),
            ProviderContract.Events.DriverStopping => (Kind.Health, ProviderContract.Fields.DriverStopping),
            ProviderContract.Events.DriverHealth => (Kind.Health, ProviderContract.Fields.DriverHealth),
            ProviderContract.Events.UnloadTimeout => (Kind.Health, ProviderContract.Fields.UnloadTimeout),
            _ => null,
        };
        if (known is null) return null;
        var index = new int[known.Value.fields.Length];
        for (var i = 0; i < index.Length; i++)
            index[i] = Array.IndexOf(payloadNames, known.Value.fields[i]); // -1 = missing: that event is malformed
        var layout = new Layout(known.Value.kind, eventName, payloadNames, index, known.Value.fields);
        _layouts[eventName] = layout;
        return layout;
    }

    private static object? Value<TView>(in TView view, Layout layout, int field) where TView : IEventView
    {
        var i = layout.Index[field];
        return i < 0 ? null : view.PayloadValue(i);
    }

    /// <summary>The first eight fields, which Packet and FlowEstablished share in the same order.</summary>
    private readonly record struct FlowTuple(
        ulong FlowId, uint ProcessId, FlowDirection Direction, byte Protocol,
        NetAddress Local, ushort LocalPort, NetAddress Remote, ushort RemotePort);

    private static bool TryFlowTuple<TView>(in TView view, Layout l, out FlowTuple tuple) where TView : IEventView
    {
        tuple = default;
        if (!FieldValue.TryUnsigned(Value(view, l, 0), ulong.MaxValue, out var flowId)
            || !FieldValue.TryUnsigned(Value(view, l, 1), uint.MaxValue, out var pid)
            || !FieldValue.TryUnsigned(Value(view, l, 2), 1, out var direction)
            || !FieldValue.TryUnsigned(Value(view, l, 3), byte.MaxValue, out var protocol)
            || !FieldValue.TryAddress(Value(view, l, 4), out var local)
            || !FieldValue.TryUnsigned(Value(view, l, 5), ushort.MaxValue, out var localPort)
            || !FieldValue.TryAddress(Value(view, l, 6), out var remote)
            || !FieldValue.TryUnsigned(Value(view, l, 7), ushort.MaxValue, out var remotePort))
            return false;
        tuple = new FlowTuple(flowId, (uint)pid, (FlowDirection)direction, (byte)protocol, local, (ushort)localPort, remote, (ushort)remotePort);
        return true;
    }

    /// <summary>
    /// Decides once per event type whether its payload can be read raw: the fields must be the contract's, in
    /// contract order, and their values (from this first event) must have the contract's sizes.
    /// </summary>
    private static void ProveRawLayout<TView>(in TView view, Layout l, int[] sizes) where TView : IEventView
    {
        if (l.RawSize != 0) return;
        l.RawSize = -1;
        if (!l.PayloadNames.AsSpan().SequenceEqual(l.FieldNames)) return;
        for (var i = 0; i < sizes.Length; i++)
        {
            var size = view.PayloadValue(i) switch
            {
                ulong or long => 8,
                uint or int => 4,
                ushort or short => 2,
                byte or sbyte => 1,
                Guid => 16,
                byte[] b => b.Length == 16 ? 16 : -1,
                _ => -1,
            };
            if (size != sizes[i]) return;
        }
        l.RawSize = sizes.Sum();
        l.RawSizeWithLengths = l.RawSize + 2 * sizes.Count(size => size == 16);
    }

    private static bool TryRaw<TView>(in TView view, Layout l, int[] sizes, out ReadOnlySpan<byte> payload) where TView : IEventView
    {
        payload = default;
        ProveRawLayout(view, l, sizes);
        return l.RawSize > 0 && view.TryGetPayload(out payload) && (payload.Length == l.RawSize || payload.Length == l.RawSizeWithLengths);
    }

    private static PacketEvent? DecodePacket<TView>(in TView view, Layout l) where TView : IEventView
    {
        if (TryRaw(view, l, s_packetSizes, out var raw))
        {
            // FlowId 0, ProcessId 8, Direction 12, Protocol 13, [length], LocalAddress, LocalPort, [length], RemoteAddress,
            // RemotePort, Bytes: with TraceLogging's lengths (n = 2) every field after Protocol moves by n, then 2n.
            var n = raw.Length == l.RawSize ? 0 : 2;
            var direction = raw[12];
            var lengthsHold = n == 0 || (BinaryPrimitives.ReadUInt16LittleEndian(raw[14..]) == 16 && BinaryPrimitives.ReadUInt16LittleEndian(raw[(32 + n)..]) == 16);
            if (lengthsHold)
            {
                if (direction > 1) return null;
                return new PacketEvent(view.TimestampUs, BinaryPrimitives.ReadUInt64LittleEndian(raw), BinaryPrimitives.ReadUInt32LittleEndian(raw[8..]),
                    (FlowDirection)direction, raw[13], NetAddress.FromBytes(raw.Slice(14 + n, 16)), BinaryPrimitives.ReadUInt16LittleEndian(raw[(30 + n)..]),
                    NetAddress.FromBytes(raw.Slice(32 + 2 * n, 16)), BinaryPrimitives.ReadUInt16LittleEndian(raw[(48 + 2 * n)..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(raw[(50 + 2 * n)..]));
            }
            // a length that is not 16: not the layout we proved, so the field-by-field path decides
        }
        if (!TryFlowTuple(view, l, out var t) || !FieldValue.TryUnsigned(Value(view, l, 8), uint.MaxValue, out var bytes))
            return null;
        return new PacketEvent(view.TimestampUs, t.FlowId, t.ProcessId, t.Direction, t.Protocol,
            t.Local, t.LocalPort, t.Remote, t.RemotePort, (uint)bytes);
    }

    private static FlowEstablishedEvent? DecodeFlowEstablished<TView>(in TView view, Layout l) where TView : IEventView
    {
        if (!TryFlowTuple(view, l, out var t) || !FieldValue.TryString(Value(view, l, 8), MaxProcessPathChars, out var path))
            return null;
        return new FlowEstablishedEvent(view.TimestampUs, t.FlowId, t.ProcessId, t.Direction, t.Protocol,
            t.Local, t.LocalPort, t.Remote, t.RemotePort, path);
    }

    /// <summary>The four counters after a flow's identity (fields 8 to 11), each at most long.MaxValue.</summary>
    private static bool TryCounters<TView>(in TView view, Layout l, int first, out (ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut) c)
        where TView : IEventView
    {
        c = default;
        if (!FieldValue.TryUnsigned(Value(view, l, first), long.MaxValue, out var packetsIn)
            || !FieldValue.TryUnsigned(Value(view, l, first + 1), long.MaxValue, out var bytesIn)
            || !FieldValue.TryUnsigned(Value(view, l, first + 2), long.MaxValue, out var packetsOut)
            || !FieldValue.TryUnsigned(Value(view, l, first + 3), long.MaxValue, out var bytesOut))
            return false;
        c = (packetsIn, bytesIn, packetsOut, bytesOut);
        return true;
    }

    private static FlowIdentity IdentityOf(in FlowTuple t) =>
        new(t.ProcessId, t.Direction, t.Protocol, t.Local, t.LocalPort, t.Remote, t.RemotePort);

    private static FlowStatsEvent? DecodeFlowStats<TView>(in TView view, Layout l) where TView : IEventView
    {
        if (!TryFlowTuple(view, l, out var t) || !TryCounters(view, l, 8, out var c)) return null;
        return new FlowStatsEvent(view.TimestampUs, t.FlowId, IdentityOf(t), c.PacketsIn, c.BytesIn, c.PacketsOut, c.BytesOut);
    }

    private static FlowDeletedEvent? DecodeFlowDeleted<TView>(in TView view, Layout l) where TView : IEventView
    {
        if (!TryFlowTuple(view, l, out var t)) return null;
        if (TryCounters(view, l, 8, out var c))
            return new FlowDeletedEvent(view.TimestampUs, t.FlowId, c.PacketsIn, c.BytesIn, c.PacketsOut, c.BytesOut) { Identity = IdentityOf(t) };
        // Counters that are integers but past 2^63-1 cannot be stored; the flow's end still can, or it would stay open
        // for ever. Anything else wrong with them is a malformed event.
        for (var i = 8; i < 12; i++)
        {
            if (!FieldValue.TryUnsigned(Value(view, l, i), ulong.MaxValue, out _)) return null;
        }
        return new FlowDeletedEvent(view.TimestampUs, t.FlowId, 0, 0, 0, 0) { Identity = IdentityOf(t), CountersRefused = true };
    }

    private static FlowDeletedEvent? DecodeFlowDeletedVersion1<TView>(in TView view, Layout l) where TView : IEventView
    {
        if (TryRaw(view, l, s_flowDeletedSizes, out var raw))
        {
            ulong pin = BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]), bin = BinaryPrimitives.ReadUInt64LittleEndian(raw[16..]),
                pout = BinaryPrimitives.ReadUInt64LittleEndian(raw[24..]), bout = BinaryPrimitives.ReadUInt64LittleEndian(raw[32..]);
            if ((pin | bin | pout | bout) > long.MaxValue) return null;
            return new FlowDeletedEvent(view.TimestampUs, BinaryPrimitives.ReadUInt64LittleEndian(raw), pin, bin, pout, bout);
        }
        if (!FieldValue.TryUnsigned(Value(view, l, 0), ulong.MaxValue, out var flowId) || !TryCounters(view, l, 1, out var c))
            return null;
        return new FlowDeletedEvent(view.TimestampUs, flowId, c.PacketsIn, c.BytesIn, c.PacketsOut, c.BytesOut);
    }

    /// <summary>
    /// Health counters are kept as the driver sent them: a counter an older driver did not write yet is left out
    /// (driver 1.0's DriverStopping had four), but one that is present must be an unsigned integer.
    /// </summary>
    private static HealthEvent? DecodeHealth<TView>(in TView view, Layout l) where TView : IEventView
    {
        var fields = new List<KeyValuePair<string, ulong>>(l.FieldNames.Length);
        for (var i = 0; i < l.FieldNames.Length; i++)
        {
            if (l.Index[i] < 0) continue;
            if (!FieldValue.TryUnsigned(Value(view, l, i), ulong.MaxValue, out var v)) return null;
            fields.Add(new(l.FieldNames[i], v));
        }
        return fields.Count == 0 ? null : new HealthEvent(view.TimestampUs, l.Name, fields.ToArray());
    }
}
