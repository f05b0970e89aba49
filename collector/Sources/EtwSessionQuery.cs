// ControlTrace(EVENT_TRACE_CONTROL_QUERY) for a session by name: the one call TraceEvent does not make for us (its
// EventsLost is the only counter it passes on). Windows only; the parsing is EtwSessionLoss's, tested everywhere.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Queries a running ETW session's counters.</summary>
[SupportedOSPlatform("windows")]
internal static partial class EtwSessionQuery
{
    private const uint EventTraceControlQuery = 0;
    private const int NameChars = 1024;

    /// <summary>The session's loss counters, or null when it cannot be queried (stopped, or not ours to see).</summary>
    public static EtwSessionLoss? Query(string sessionName)
    {
        var buffer = new byte[EtwSessionLoss.Size + 2 * NameChars * sizeof(char)];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)buffer.Length);                 // Wnode.BufferSize
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(EtwSessionLoss.LogFileNameOffsetOffset), (uint)(EtwSessionLoss.Size + NameChars * sizeof(char))); // LogFileNameOffset
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(EtwSessionLoss.LoggerNameOffsetOffset), EtwSessionLoss.Size); // LoggerNameOffset
        return ControlTrace(0, sessionName, buffer, EventTraceControlQuery) == 0 ? EtwSessionLoss.FromProperties(buffer) : null;
    }

    [LibraryImport("advapi32.dll", EntryPoint = "ControlTraceW", StringMarshalling = StringMarshalling.Utf16)]
    private static partial uint ControlTrace(ulong traceHandle, string instanceName, [In, Out] byte[] properties, uint controlCode);
}
