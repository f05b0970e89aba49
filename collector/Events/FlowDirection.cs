// Direction of a flow or packet, with the FWP_DIRECTION values the driver sends.
namespace MonitorNetwork.Collector.Events;

/// <summary>FWP_DIRECTION: 0 outbound, 1 inbound.</summary>
public enum FlowDirection : byte
{
    /// <summary>FWP_DIRECTION_OUTBOUND.</summary>
    Outbound = 0,
    /// <summary>FWP_DIRECTION_INBOUND.</summary>
    Inbound = 1,
}
