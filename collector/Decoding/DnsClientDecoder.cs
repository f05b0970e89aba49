// Microsoft-Windows-DNS-Client event 3008 ("query completed") into DnsAnswerEvent. Fields, from the provider's
// manifest (../shared/manifests, checked by ManifestTests): QueryName UnicodeString, QueryType UInt32, QueryOptions
// UInt64, QueryStatus UInt32, QueryResults UnicodeString. The asking process is the event header's. On ETW the
// provider is known by its GUID; through EventPipe a test EventSource of the same name gets the GUID hashed from the
// name, so the name also identifies it. Never throws.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Decodes DNS-Client query completions.</summary>
public sealed class DnsClientDecoder : IEventDecoder
{
    /// <summary>Provider name.</summary>
    public const string ProviderName = "Microsoft-Windows-DNS-Client";
    /// <summary>{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}.</summary>
    public static readonly Guid ProviderGuid = new("1C95126E-7EEA-49A9-A3FE-A378B03DDB4D");
    /// <summary>The query-completed event.</summary>
    public const int QueryCompleted = 3008;
    /// <summary>Longest query name kept (a DNS name is at most 253 characters; anything longer is hostile).</summary>
    public const int MaxNameChars = Store.InputSanity.MaxDnsNameChars;

    /// <inheritdoc/>
    public DecodeOutcome Decode<TView>(in TView view, out MonitorEvent? decoded) where TView : IEventView
    {
        decoded = null;
        try
        {
            if (view.ProviderGuid != ProviderGuid && !string.Equals(view.ProviderName, ProviderName, StringComparison.Ordinal))
                return DecodeOutcome.OtherProvider;
            if (view.EventId != QueryCompleted) return DecodeOutcome.Ignored; // 3006 query started, 3009, 3010, ...
            if (EventViews.Field(view, "QueryName") is not string name || name.Length is 0 or > MaxNameChars
                || !FieldValue.TryUnsigned(EventViews.Field(view, "QueryType"), uint.MaxValue, out var type)
                || !FieldValue.TryUnsigned(EventViews.Field(view, "QueryStatus"), uint.MaxValue, out var status))
                return DecodeOutcome.Malformed;
            var results = EventViews.Field(view, "QueryResults") as string;
            var parsed = status == 0 ? DnsQueryResults.ParseChecked(results) : (([], []), false, false);
            var (cnames, addresses) = parsed.Answer;
            decoded = new DnsAnswerEvent(view.TimestampUs, (uint)Math.Max(0, view.ProcessId), name.TrimEnd('.'), (uint)type, (uint)status, cnames, addresses)
            {
                CnamesCapped = parsed.CnamesCapped,
                AddressesRejected = parsed.AddressesRejected,
            };
            return DecodeOutcome.Decoded;
        }
#pragma warning disable CA1031 // The ETW callback must never see an exception.
        catch (Exception)
#pragma warning restore CA1031
        {
            return DecodeOutcome.Malformed;
        }
    }
}
