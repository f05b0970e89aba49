// Adapts a TraceEvent object to IEventView: the ETW/EventPipe edge, beside the router that hooks Dynamic.All and
// UnhandledEvents. The decoders only ever see IEventView, never a TraceEvent type.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Decoding;

namespace MonitorNetwork.Collector.Sources;

/// <summary>A zero-allocation view of a <see cref="TraceEvent"/> delivered by any TraceEvent source.</summary>
public readonly struct TraceEventView(TraceEvent data, long sessionStartUs) : IEventView
{
    /// <inheritdoc/>
    public string ProviderName => data.ProviderName;
    /// <inheritdoc/>
    public Guid ProviderGuid => data.ProviderGuid;
    /// <inheritdoc/>
    public int ProcessId => data.ProcessID;
    /// <inheritdoc/>
    public string EventName => data.EventName;
    /// <inheritdoc/>
    public int EventId => (int)data.ID;
    /// <inheritdoc/>
    public long TimestampUs => sessionStartUs + (long)(data.TimeStampRelativeMSec * 1000.0);
    /// <inheritdoc/>
    public string[] PayloadNames => data.PayloadNames;
    /// <inheritdoc/>
    public object? PayloadValue(int index) => data.PayloadValue(index);
    /// <inheritdoc/>
    public unsafe bool TryGetPayload(out ReadOnlySpan<byte> payload)
    {
        // TraceEvent points DataStart at the event's payload in its read buffer for the duration of the callback.
        payload = data.DataStart == IntPtr.Zero ? default : new ReadOnlySpan<byte>((void*)data.DataStart, data.EventDataLength);
        return data.DataStart != IntPtr.Zero;
    }

    /// <summary>UTC microseconds since the Unix epoch of a source's session start, the base of relative event times.</summary>
    public static long SessionStartUs(TraceEventSource source) =>
        Events.UnixMicros.From(source.SessionStartTime);
}
