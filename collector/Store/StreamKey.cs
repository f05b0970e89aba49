// The identity of a packet stream: everything a Packet event carries except its time, direction and size.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Key of a packet_stream row, cached in memory so packets rarely touch the stream table.</summary>
internal readonly record struct StreamKey(
    ulong FlowId, uint ProcessId, byte Protocol, NetAddress LocalAddress, ushort LocalPort, NetAddress RemoteAddress, ushort RemotePort)
{
    public static StreamKey Of(PacketEvent p) =>
        new(p.FlowId, p.ProcessId, p.Protocol, p.LocalAddress, p.LocalPort, p.RemoteAddress, p.RemotePort);
}
