// One Kernel-Network event in our terms, before flow bookkeeping.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>A mapped Kernel-Network event: local is saddr/sport, remote is daddr/dport, ports in host order.</summary>
public readonly record struct KernelNetworkRecord(
    KernelNetworkEvents.Kind Kind, byte Protocol, uint ProcessId, uint Size,
    NetAddress Local, ushort LocalPort, NetAddress Remote, ushort RemotePort)
{
    /// <summary>
    /// A stable, non-zero FlowId for a TCP connection: FNV-1a over protocol, process and both endpoints, so its
    /// packets, its start and its end meet in the store without any id from the provider.
    /// </summary>
    public ulong ConnectionId
    {
        get
        {
            var hash = 14695981039346656037UL;
            void Mix(ulong value)
            {
                for (var i = 0; i < 8; i++)
                {
                    hash ^= (byte)(value >> (8 * i));
                    hash *= 1099511628211UL;
                }
            }
            Mix(Protocol);
            Mix(ProcessId);
            Mix(Local.High);
            Mix(Local.Low);
            Mix(LocalPort);
            Mix(Remote.High);
            Mix(Remote.Low);
            Mix(RemotePort);
            return hash == 0 ? 1 : hash;
        }
    }
}
