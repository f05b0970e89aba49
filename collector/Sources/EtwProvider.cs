// What a real-time session enables, and how its events are decoded: the MonitorNetwork driver, or the built-in
// Microsoft-Windows-Kernel-Network provider for machines without the driver; either way with
// Microsoft-Windows-Kernel-Process, so flows and packets get program names.
using MonitorNetwork.Collector.Decoding;

namespace MonitorNetwork.Collector.Sources;

/// <summary>One provider to enable: GUID, keywords and level (4 Informational, 5 Verbose).</summary>
public sealed record EtwProviderSpec(Guid Guid, ulong Keywords, byte Level);

/// <summary>The providers of a session, the session kind stored, and the decoder for their events.</summary>
public sealed record EtwProvider(string Kind, IReadOnlyList<EtwProviderSpec> Providers, Func<IEventDecoder> CreateDecoder)
{
    /// <summary>
    /// Auto chose Kernel-Network although the driver's service is installed: the driver is expected but not running
    /// (a reboot with a demand-start driver, a failed load). The source then says so in a DriverMissing health row.
    /// </summary>
    public bool DriverExpectedButMissing { get; init; }

    /// <summary>Makes the source's flow-record builder, when the collector aggregates packets itself (Kernel-Network).</summary>
    public Func<Decoding.FlowRecordBuilder?> CreateFlowRecords { get; init; } = () => null;

    private static readonly EtwProviderSpec s_processes = new(KernelProcessDecoder.ProviderGuid, KernelProcessDecoder.Keywords, 4);
    // Event 3008 has no keyword in the manifest, so it is delivered whatever the keyword mask; Informational is its level.
    private static readonly EtwProviderSpec s_dns = new(DnsClientDecoder.ProviderGuid, 0, 4);

    /// <summary>
    /// The MonitorNetwork driver's TraceLogging provider at Verbose (Packet events are level 5), plus processes and,
    /// unless <paramref name="dns"/> is false, DNS-Client's answers.
    /// </summary>
    public static EtwProvider Driver(ulong keywords, bool dns = true) => new("etw-driver",
        dns ? [new(ProviderContract.ProviderGuid, keywords, 5), s_processes, s_dns] : [new(ProviderContract.ProviderGuid, keywords, 5), s_processes],
        () => new CompositeDecoder(new ContractDecoder(), new KernelProcessDecoder(), new DnsClientDecoder()));

    /// <summary>
    /// Microsoft-Windows-Kernel-Network (TCP and UDP, IPv4 and IPv6) at Informational, plus processes and DNS answers.
    /// The provider reports every send and receive; with the Flow keyword the collector aggregates them into the
    /// driver's flow records every active interval (<see cref="Decoding.FlowRecordBuilder"/>), and stores per-packet rows
    /// only when the Packet keyword asks for them too.
    /// </summary>
    public static EtwProvider KernelNetwork(ulong keywords = ProviderContract.Keywords.Flow | ProviderContract.Keywords.Health, bool dns = true) => new("etw-kernel",
        dns ? [new(KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.Keywords, 4), s_processes, s_dns] : [new(KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.Keywords, 4), s_processes],
        () => new CompositeDecoder(new KernelNetworkDecoder(), new KernelProcessDecoder(), new DnsClientDecoder()))
    {
        CreateFlowRecords = () => (keywords & ProviderContract.Keywords.Flow) == 0 ? null
            : new Decoding.FlowRecordBuilder(Decoding.FlowRecordBuilder.DefaultInterval, keepPackets: (keywords & ProviderContract.Keywords.Packet) != 0),
    };

    /// <summary>The decoder of a recording: the contract, process names and DNS answers, whichever it holds.</summary>
    public static IEventDecoder RecordingDecoder() => new CompositeDecoder(new ContractDecoder(), new KernelProcessDecoder(), new DnsClientDecoder());

    /// <summary>
    /// Picks the provider for --source: driver, kernel, or auto (the driver when its service runs; Kernel-Network
    /// otherwise, marked <see cref="DriverExpectedButMissing"/> when the driver's service is installed but not running).
    /// </summary>
    public static EtwProvider Choose(string source, ulong keywords, Func<bool> driverRunning, bool dns = true, Func<bool>? driverInstalled = null) => source.ToLowerInvariant() switch
    {
        "driver" => Driver(keywords, dns),
        "kernel" => KernelNetwork(keywords, dns),
        "auto" => driverRunning() ? Driver(keywords, dns) : KernelNetwork(keywords, dns) with { DriverExpectedButMissing = driverInstalled?.Invoke() == true },
        _ => throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"--source: '{source}' is not driver, kernel or auto"),
    };
}
