// The seam between TraceEvent and our decoder: tests feed fields of any type through it without a live session.
namespace MonitorNetwork.Collector.Decoding;

/// <summary>A read-only view of one raw event as a trace source delivers it.</summary>
public interface IEventView
{
    /// <summary>Provider name as the source reports it.</summary>
    string ProviderName { get; }
    /// <summary>Provider GUID; <see cref="Guid.Empty"/> when unknown.</summary>
    Guid ProviderGuid { get; }
    /// <summary>Event name (for TraceLogging: the task name, or "Task/Opcode" when the opcode is not Info).</summary>
    string EventName { get; }
    /// <summary>Event ID: stable for manifest providers, synthetic (and never used) for TraceLogging.</summary>
    int EventId { get; }
    /// <summary>The process that wrote the event (the ETW or EventPipe header's), or 0 when unknown.</summary>
    int ProcessId { get; }
    /// <summary>Event time, UTC microseconds since the Unix epoch.</summary>
    long TimestampUs { get; }
    /// <summary>Payload field names. Sources reuse the same array per event type, which the decoder's cache relies on.</summary>
    string[] PayloadNames { get; }
    /// <summary>The value of field <paramref name="index"/>; may be an error string rather than the field's type.</summary>
    object? PayloadValue(int index);

    /// <summary>
    /// The raw payload bytes, when the source can give them without copying; valid only during the callback.
    /// The decoder reads fixed-layout events from them once it has checked the layout against the contract.
    /// </summary>
    bool TryGetPayload(out ReadOnlySpan<byte> payload);
}
