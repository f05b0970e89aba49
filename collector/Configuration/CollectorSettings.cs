// The collect settings as typed values, parsed once from CollectorOptions (appsettings.json, MONITORNETWORK_
// variables, the settings file and the command line, all strings): the host holds the result as a singleton, which
// `collect` asks for before it starts, so a bad value fails before the store is touched, named as the user wrote it.
using MonitorNetwork.Collector.Decoding;
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
    /// <summary>
    /// Parses <paramref name="o"/>, the one place collect settings are parsed; throws a usage failure naming the first
    /// bad value by <paramref name="nameOf"/> (a CollectorOptions property name to what the user wrote: "--retention"
    /// on the command line, "Collector:PacketRetention" in a settings file).
    /// </summary>
    public static CollectorSettings From(CollectorOptions o, Func<string, string>? nameOf = null)
    {
        nameOf ??= key => $"{CollectorOptions.Section}:{key}";
        T Named<T>(string key, Func<T> parse)
        {
            try
            {
                return parse();
            }
            catch (FormatException ex)
            {
                throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"{nameOf(key)}: {ex.Message}", ex);
            }
            catch (Failures.MonitorNetworkException ex) when (ex.Kind == Failures.FailureKind.Usage)
            {
                throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"{nameOf(key)}: {ex.Message}", ex);
            }
        }
        var keywords = Named(nameof(o.Keywords), () => ProviderContract.ParseKeywords(o.Keywords));
        TimeSpan? duration = string.IsNullOrWhiteSpace(o.Duration) ? null : Named(nameof(o.Duration), () => DurationParser.Parse(o.Duration));
        var retention = new RetentionOptions
        {
            PacketRetention = Named(nameof(o.PacketRetention), () => DurationParser.Parse(o.PacketRetention)),
            FlowRetention = Named(nameof(o.FlowRetention), () => DurationParser.Parse(o.FlowRetention)),
            MaxDatabaseBytes = Named(nameof(o.MaxDatabaseSize), () => SizeParser.Parse(o.MaxDatabaseSize)),
        };
        var export = (string.IsNullOrWhiteSpace(o.ExportTo) && string.IsNullOrWhiteSpace(o.ExportIpfix), string.IsNullOrWhiteSpace(o.ExportEvery)) switch
        {
            (true, true) => null,
            (false, false) => new ExportSchedule(o.ExportTo, Named(nameof(o.ExportEvery), () => DurationParser.Parse(o.ExportEvery)))
            {
                Ipfix = string.IsNullOrWhiteSpace(o.ExportIpfix) ? null : Named(nameof(o.ExportIpfix), () => MonitorNetwork.Collector.Export.Ipfix.IpfixOptions.ParseTarget(o.ExportIpfix)),
            },
            _ => throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage,
                $"{nameOf(nameof(o.ExportEvery))} goes with {nameOf(nameof(o.ExportTo))} or {nameOf(nameof(o.ExportIpfix))}"),
        };
        return new CollectorSettings(
            string.IsNullOrWhiteSpace(o.DatabasePath) ? StorePaths.DefaultDatabasePath() : o.DatabasePath,
            keywords, duration, retention, export,
            Named(nameof(o.DnsWindow), () => DurationParser.Parse(o.DnsWindow)));
    }
}

/// <summary>Export the store to <paramref name="Target"/> (a lake; empty: none) every <paramref name="Every"/>.</summary>
public sealed record ExportSchedule(string Target, TimeSpan Every)
{
    /// <summary>Also send flow segments to this IPFIX collector over UDP (collect --export-ipfix), or null.</summary>
    public (string Host, int Port)? Ipfix { get; init; }
}
