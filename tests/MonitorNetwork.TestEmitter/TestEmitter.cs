// The test stand-in for the driver: an EventSource named MonitorNetwork (hence the same provider GUID) that
// emits the contract's events with primitive parameters. Addresses go as Guid because EventPipe mangles byte[]
// (dotnet/runtime#82423); new Guid(bytes) carries the same 16 bytes.
using System.Diagnostics.Tracing;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Emitter;

[EventSource(Name = "MonitorNetwork")]
public sealed class TestEmitter : EventSource
{
    /// <summary>One per process: a second EventSource with the same name would be disabled.</summary>
    public static readonly TestEmitter Log = new();

    private TestEmitter() { }

    public static class Keywords
    {
        public const EventKeywords Packet = (EventKeywords)0x1;
        public const EventKeywords Flow = (EventKeywords)0x2;
        public const EventKeywords Health = (EventKeywords)0x4;
    }

    [Event(1, Level = EventLevel.Informational, Keywords = Keywords.Flow)]
    public void FlowEstablished(ulong FlowId, uint ProcessId, byte Direction, byte Protocol, Guid LocalAddress, ushort LocalPort,
        Guid RemoteAddress, ushort RemotePort, string ProcessPath) =>
        WriteEvent(1, FlowId, ProcessId, Direction, Protocol, LocalAddress, LocalPort, RemoteAddress, RemotePort, ProcessPath);

    // Contract version 2. Version 1's five-field FlowDeleted cannot be declared beside it (one event per name);
    // TestData/contract-v1.nettrace was recorded with it and is what the version 1 tests import.
    [Event(2, Level = EventLevel.Informational, Keywords = Keywords.Flow)]
    public void FlowDeleted(ulong FlowId, uint ProcessId, byte Direction, byte Protocol, Guid LocalAddress, ushort LocalPort,
        Guid RemoteAddress, ushort RemotePort, ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut) =>
        WriteEvent(2, new object[] { FlowId, ProcessId, Direction, Protocol, LocalAddress, LocalPort, RemoteAddress, RemotePort, PacketsIn, BytesIn, PacketsOut, BytesOut });

    [Event(9, Level = EventLevel.Informational, Keywords = Keywords.Flow)]
    public void FlowStats(ulong FlowId, uint ProcessId, byte Direction, byte Protocol, Guid LocalAddress, ushort LocalPort,
        Guid RemoteAddress, ushort RemotePort, ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut) =>
        WriteEvent(9, new object[] { FlowId, ProcessId, Direction, Protocol, LocalAddress, LocalPort, RemoteAddress, RemotePort, PacketsIn, BytesIn, PacketsOut, BytesOut });

    [Event(3, Level = EventLevel.Verbose, Keywords = Keywords.Packet)]
    public void Packet(ulong FlowId, uint ProcessId, byte Direction, byte Protocol, Guid LocalAddress, ushort LocalPort,
        Guid RemoteAddress, ushort RemotePort, uint Bytes) =>
        WriteEvent(3, FlowId, ProcessId, Direction, Protocol, LocalAddress, LocalPort, RemoteAddress, RemotePort, Bytes);

    [Event(4, Level = EventLevel.Informational, Keywords = Keywords.Health)]
    public void DriverStarted(uint DriverVersion, uint CalloutsRegistered) =>
        WriteEvent(4, unchecked((int)DriverVersion), unchecked((int)CalloutsRegistered)); // (int,int) overload: uint would bind to (long,long) and write 8 bytes each

    [Event(5, Level = EventLevel.Informational, Keywords = Keywords.Health)]
    public void DriverStopping(ulong FlowsTracked, ulong FlowsActive, ulong ContextAllocFailures, ulong PacketsWithoutFlow,
        ulong AssociationFailures, ulong ClassifiesWithoutContext, ulong FlowsDeletedWithoutContext, ulong PacketsUnknownHeader) =>
        WriteEvent(5, FlowsTracked, FlowsActive, ContextAllocFailures, PacketsWithoutFlow, AssociationFailures,
            ClassifiesWithoutContext, FlowsDeletedWithoutContext, PacketsUnknownHeader);

    [Event(7, Level = EventLevel.Informational, Keywords = Keywords.Health)]
    public void DriverHealth(ulong FlowsTracked, ulong FlowsActive, ulong ContextAllocFailures, ulong PacketsWithoutFlow,
        ulong AssociationFailures, ulong ClassifiesWithoutContext, ulong FlowsDeletedWithoutContext, ulong PacketsUnknownHeader) =>
        WriteEvent(7, FlowsTracked, FlowsActive, ContextAllocFailures, PacketsWithoutFlow, AssociationFailures,
            ClassifiesWithoutContext, FlowsDeletedWithoutContext, PacketsUnknownHeader);

    [Event(8, Level = EventLevel.Warning, Keywords = Keywords.Health)]
    public void UnloadTimeout(uint Stage, ulong FlowsOutstanding, uint CalloutsOutstanding) =>
        WriteEvent(8, new object[] { Stage, FlowsOutstanding, CalloutsOutstanding }); // no typed overload fits (uint, ulong, uint)

    /// <summary>An event name the contract does not have, to check it is counted as unknown.</summary>
    [Event(6, Level = EventLevel.Informational, Keywords = Keywords.Health)]
    public void SomethingNew(uint Value) => WriteEvent(6, unchecked((int)Value));

    /// <summary>Emits one of our records the way the driver would.</summary>
    [NonEvent]
    public void Send(MonitorEvent evt)
    {
        switch (evt)
        {
            case PacketEvent p:
                Packet(p.FlowId, p.ProcessId, (byte)p.Direction, p.Protocol, AsGuid(p.LocalAddress), p.LocalPort, AsGuid(p.RemoteAddress), p.RemotePort, p.Bytes);
                break;
            case FlowEstablishedEvent f:
                FlowEstablished(f.FlowId, f.ProcessId, (byte)f.Direction, f.Protocol, AsGuid(f.LocalAddress), f.LocalPort, AsGuid(f.RemoteAddress), f.RemotePort, f.ProcessPath);
                break;
            case FlowDeletedEvent d:
                var di = d.Identity ?? default;
                FlowDeleted(d.FlowId, di.ProcessId, (byte)di.Direction, di.Protocol, AsGuid(di.LocalAddress), di.LocalPort, AsGuid(di.RemoteAddress), di.RemotePort,
                    d.PacketsIn, d.BytesIn, d.PacketsOut, d.BytesOut);
                break;
            case FlowStatsEvent st:
                var si = st.Identity;
                FlowStats(st.FlowId, si.ProcessId, (byte)si.Direction, si.Protocol, AsGuid(si.LocalAddress), si.LocalPort, AsGuid(si.RemoteAddress), si.RemotePort,
                    st.PacketsIn, st.BytesIn, st.PacketsOut, st.BytesOut);
                break;
            case HealthEvent { Name: "DriverStarted" } h:
                DriverStarted((uint)h.Fields[0].Value, (uint)h.Fields[1].Value);
                break;
            case HealthEvent { Name: "DriverStopping" or "DriverHealth" } h:
                var c = new ulong[8];
                for (var i = 0; i < h.Fields.Count && i < c.Length; i++) c[i] = h.Fields[i].Value;
                if (h.Name == "DriverStopping") DriverStopping(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
                else DriverHealth(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
                break;
            case HealthEvent { Name: "UnloadTimeout" } h:
                UnloadTimeout((uint)h.Fields[0].Value, h.Fields[1].Value, (uint)h.Fields[2].Value);
                break;
            default:
                throw new ArgumentException("no emitter for " + evt);
        }
    }

    [NonEvent]
    public static Guid AsGuid(NetAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.WriteBytes(bytes);
        return new Guid(bytes);
    }
}
