// An IEventView over plain values, to push any field types (TDH's or EventPipe's, or hostile ones) through the
// real decoder without a trace session.
using MonitorNetwork.Collector.Decoding;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal readonly struct FakeEventView(string eventName, string[] names, object?[] values, Guid? providerGuid = null, string providerName = ProviderContract.ProviderName, long timestampUs = 1_700_000_000_000_000, byte[]? raw = null, int eventId = 0, int processId = 0) : IEventView
{
    public int ProcessId => processId;
    public string ProviderName => providerName;
    public Guid ProviderGuid => providerGuid ?? ProviderContract.ProviderGuid;
    public string EventName => eventName;
    public int EventId => eventId;
    public long TimestampUs => timestampUs;
    public string[] PayloadNames => names;
    public object? PayloadValue(int index) => values[index];
    public bool TryGetPayload(out ReadOnlySpan<byte> payload)
    {
        payload = raw;
        return raw is not null;
    }

    /// <summary>A view whose fields are the contract's, in order, with the given values.</summary>
    public static FakeEventView Of(string eventName, string[] fields, params object?[] values) => new(eventName, fields, values);
}
