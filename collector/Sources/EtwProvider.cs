// What a real-time session enables, and how its events are decoded: the MonitorNetwork driver, or the built-in
// Microsoft-Windows-Kernel-Network provider for machines without the driver; either way with
// Microsoft-Windows-Kernel-Process, so flows and packets get program names.
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Decoding.KernelNetwork;
using MonitorNetwork.Collector.Decoding.KernelProcess;

namespace MonitorNetwork.Collector.Sources;

/// <summary>One provider to enable: GUID, keywords and level (4 Informational, 5 Verbose).</summary>
public sealed record EtwProviderSpec(Guid Guid, ulong Keywords, byte Level);

/// <summary>The providers of a session, the session kind stored, and the decoder for their events.</summary>
public sealed record EtwProvider(string Kind, IReadOnlyList<EtwProviderSpec> Providers, Func<IEventDecoder> CreateDecoder)
{
    private static readonly EtwProviderSpec s_processes = new(KernelProcessDecoder.ProviderGuid, KernelProcessDecoder.Keywords, 4);

    /// <summary>The MonitorNetwork driver's TraceLogging provider at Verbose (Packet events are level 5), plus processes.</summary>
    public static EtwProvider Driver(ulong keywords) => new("etw-driver",
        [new(ProviderContract.ProviderGuid, keywords, 5), s_processes],
        () => new CompositeDecoder(new ContractDecoder(), new KernelProcessDecoder()));

    /// <summary>Microsoft-Windows-Kernel-Network (TCP and UDP, IPv4 and IPv6) at Informational, plus processes.</summary>
    public static EtwProvider KernelNetwork() => new("etw-kernel",
        [new(KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.Keywords, 4), s_processes],
        () => new CompositeDecoder(new KernelNetworkDecoder(), new KernelProcessDecoder()));

    /// <summary>Picks the provider for --source: driver, kernel, or auto (the driver when its service runs).</summary>
    public static EtwProvider Choose(string source, ulong keywords, Func<bool> driverRunning) => source.ToLowerInvariant() switch
    {
        "driver" => Driver(keywords),
        "kernel" => KernelNetwork(),
        "auto" => driverRunning() ? Driver(keywords) : KernelNetwork(),
        _ => throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"--source: '{source}' is not driver, kernel or auto"),
    };
}
