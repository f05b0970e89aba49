// Turns Kernel-Network events into the same records the driver's events become, so the store and the named
// queries answer the same questions whichever source fed them. The provider gives no per-flow totals, so this
// decoder keeps them: every TCP send and receive adds to its connection, and the disconnect reports the sum.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Decoder for <see cref="KernelNetworkEvents.ProviderGuid"/>. One per source thread.</summary>
public sealed class KernelNetworkDecoder : IEventDecoder
{
    /// <summary>Connections tracked at most; past it the table starts over (later totals then undercount).</summary>
    private const int MaxTrackedConnections = 1_000_000;

    private readonly Dictionary<ulong, (ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut)> _connections = new();

    /// <inheritdoc/>
    public DecodeOutcome Decode<TView>(in TView view, out MonitorEvent? decoded) where TView : IEventView
    {
        decoded = null;
        try
        {
            if (!EventViews.IsFrom(view, KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.ProviderName))
                return DecodeOutcome.OtherProvider;
            var outcome = KernelNetworkMapping.Map(view, out var r);
            if (outcome != DecodeOutcome.Decoded) return outcome;
            decoded = ToEvent(view.TimestampUs, r);
            return DecodeOutcome.Decoded;
        }
#pragma warning disable CA1031 // The ETW callback must never see an exception.
        catch (Exception)
#pragma warning restore CA1031
        {
            return DecodeOutcome.Malformed;
        }
    }

    private MonitorEvent ToEvent(long timestampUs, KernelNetworkRecord r)
    {
        var tcp = r.Protocol == 6;
        var flowId = tcp ? r.ConnectionId : 0; // UDP has no connections: its packets stand alone, by process
        switch (r.Kind)
        {
            case KernelNetworkEvents.Kind.Connect:
            case KernelNetworkEvents.Kind.Accept:
                Track(flowId);
                return new FlowEstablishedEvent(timestampUs, flowId, r.ProcessId,
                    r.Kind == KernelNetworkEvents.Kind.Accept ? FlowDirection.Inbound : FlowDirection.Outbound,
                    r.Protocol, r.Local, r.LocalPort, r.Remote, r.RemotePort, "");
            case KernelNetworkEvents.Kind.Disconnect:
                _connections.Remove(flowId, out var totals);
                return new FlowDeletedEvent(timestampUs, flowId, totals.PacketsIn, totals.BytesIn, totals.PacketsOut, totals.BytesOut);
            default:
                var inbound = r.Kind == KernelNetworkEvents.Kind.Receive;
                if (tcp)
                {
                    var t = Track(flowId);
                    _connections[flowId] = inbound ? (t.PacketsIn + 1, t.BytesIn + r.Size, t.PacketsOut, t.BytesOut)
                                                   : (t.PacketsIn, t.BytesIn, t.PacketsOut + 1, t.BytesOut + r.Size);
                }
                return new PacketEvent(timestampUs, flowId, r.ProcessId, inbound ? FlowDirection.Inbound : FlowDirection.Outbound,
                    r.Protocol, r.Local, r.LocalPort, r.Remote, r.RemotePort, r.Size);
        }
    }

    private (ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut) Track(ulong flowId)
    {
        if (_connections.TryGetValue(flowId, out var totals)) return totals;
        if (_connections.Count >= MaxTrackedConnections) _connections.Clear();
        _connections[flowId] = default;
        return default;
    }
}
