// The collect settings as typed values, parsed once from CollectorOptions (appsettings.json, MONITORNETWORK_
// variables and the command line, all strings) so that the worker never parses and a bad value fails before the
// store is touched.
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Configuration;

/// <summary>Typed collect settings.</summary>
/// <param name="DatabasePath">The store: the option's path, else the default for this OS and token.</param>
/// <param name="Keywords">The contract keyword mask.</param>
/// <param name="Duration">Stop after this long; null runs until stopped.</param>
/// <param name="Retention">Retention and size limits.</param>
/// <param name="Export">The background export (collect --export-every/--export-to), or null.</param>
/// <param name="DnsWindow">How far back a DNS answer may name a flow's remote.</param>
public sealed record CollectorSettings(string DatabasePath, ulong Keywords, TimeSpan? Duration, RetentionOptions Retention, ExportSchedule? Export = null,
    TimeSpan? DnsWindow = null)
{
    /// <summary>Parses <paramref name="o"/>; throws a usage failure naming the first bad value.</summary>
    public static CollectorSettings From(CollectorOptions o)
    {
        ulong keywords;
        try
        {
            keywords = ProviderContract.ParseKeywords(o.Keywords);
        }
        catch (FormatException ex)
        {
            throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"Keywords: {ex.Message}", ex);
        }
        return new CollectorSettings(
            string.IsNullOrWhiteSpace(o.DatabasePath) ? StorePaths.DefaultDatabasePath() : o.DatabasePath,
            keywords,
            string.IsNullOrWhiteSpace(o.Duration) ? null : DurationParser.Parse(o.Duration),
            new RetentionOptions
            {
                PacketRetention = DurationParser.Parse(o.PacketRetention),
                FlowRetention = DurationParser.Parse(o.FlowRetention),
                MaxDatabaseBytes = SizeParser.Parse(o.MaxDatabaseSize),
            },
            (string.IsNullOrWhiteSpace(o.ExportTo) && string.IsNullOrWhiteSpace(o.ExportIpfix), string.IsNullOrWhiteSpace(o.ExportEvery)) switch
            {
                (true, true) => null,
                (false, false) => new ExportSchedule(o.ExportTo, DurationParser.Parse(o.ExportEvery))
                {
                    Ipfix = string.IsNullOrWhiteSpace(o.ExportIpfix) ? null : MonitorNetwork.Collector.Export.Ipfix.IpfixOptions.ParseTarget(o.ExportIpfix),
                },
                _ => throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, "--export-every goes with --export-to or --export-ipfix"),
            },
            DurationParser.Parse(o.DnsWindow));
    }
}

/// <summary>Export the store to <paramref name="Target"/> (a lake; empty: none) every <paramref name="Every"/>.</summary>
public sealed record ExportSchedule(string Target, TimeSpan Every)
{
    /// <summary>Also send flow segments to this IPFIX collector over UDP (collect --export-ipfix), or null.</summary>
    public (string Host, int Port)? Ipfix { get; init; }
}
