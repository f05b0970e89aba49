// The test stand-in for Windows' DNS client: an EventSource named Microsoft-Windows-DNS-Client whose event 3008 has
// the manifest's field order and types (QueryName UnicodeString, QueryType UInt32, QueryOptions UInt64, QueryStatus
// UInt32, QueryResults UnicodeString), so the EventPipe end-to-end tests drive the real DNS decoding path. Through
// EventPipe its GUID is the hash of its name, not {1C95126E-...}: the decoder matches it by name and event id.
using System.Diagnostics.Tracing;

namespace MonitorNetwork.Emitter;

[EventSource(Name = "Microsoft-Windows-DNS-Client")]
public sealed class DnsClientEmitter : EventSource
{
    /// <summary>One per process, like <see cref="TestEmitter"/>.</summary>
    public static readonly DnsClientEmitter Log = new();

    private DnsClientEmitter() { }

    /// <summary>Event 3008, "query completed".</summary>
    [Event(3008, Level = EventLevel.Informational)]
    public void QueryCompleted(string QueryName, uint QueryType, ulong QueryOptions, uint QueryStatus, string QueryResults) =>
        WriteEvent(3008, QueryName, QueryType, QueryOptions, QueryStatus, QueryResults);
}
