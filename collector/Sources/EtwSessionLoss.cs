// What an ETW session says it lost. Events lost (EventsLost) are events the session could not buffer; a buffer lost
// in delivery to us (RealTimeBuffersLost) or to a file (LogBuffersLost) holds an unknown number of events, so it is a
// kind of loss of its own and never added to the events. TraceEvent's TraceEventSession exposes only EventsLost;
// the rest comes from ControlTrace(EVENT_TRACE_CONTROL_QUERY), whose EVENT_TRACE_PROPERTIES is read here.
using System.Buffers.Binary;

namespace MonitorNetwork.Collector.Sources;

/// <summary>An ETW session's loss counters at one moment.</summary>
/// <param name="EventsLost">Events the session dropped (EVENT_TRACE_PROPERTIES.EventsLost).</param>
/// <param name="BuffersLost">Whole buffers not delivered: RealTimeBuffersLost + LogBuffersLost.</param>
public readonly record struct EtwSessionLoss(long EventsLost, long BuffersLost)
{
    // Offsets in EVENT_TRACE_PROPERTIES after its 48-byte WNODE_HEADER, the same on x64 and ARM64: checked against
    // the SDK's evntrace.h (../shared/wdk) with static asserts compiled by check-driver.sh for both.
    internal const int Size = 120;
    internal const int EventsLostOffset = 88;
    internal const int LogBuffersLostOffset = 96;
    internal const int RealTimeBuffersLostOffset = 100;
    internal const int LogFileNameOffsetOffset = 112;
    internal const int LoggerNameOffsetOffset = 116;

    /// <summary>The counters in an EVENT_TRACE_PROPERTIES that ControlTrace filled.</summary>
    public static EtwSessionLoss FromProperties(ReadOnlySpan<byte> properties)
    {
        if (properties.Length < Size) throw new ArgumentException("shorter than EVENT_TRACE_PROPERTIES", nameof(properties));
        static long U32(ReadOnlySpan<byte> p, int at) => BinaryPrimitives.ReadUInt32LittleEndian(p[at..]);
        return new(U32(properties, EventsLostOffset), U32(properties, RealTimeBuffersLostOffset) + U32(properties, LogBuffersLostOffset));
    }
}
