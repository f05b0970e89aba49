// Which provider a real-time session enables, and how its events are decoded: the MonitorNetwork driver, or the
// built-in Microsoft-Windows-Kernel-Network provider for machines without the driver.
using MonitorNetwork.Collector.Contract;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Decoding.KernelNetwork;

namespace MonitorNetwork.Collector.Sources;

/// <summary>A provider to enable: its GUID, keywords and level, the session kind stored, and its decoder.</summary>
public sealed record EtwProvider(string Kind, Guid Guid, ulong Keywords, byte Level, Func<IEventDecoder> CreateDecoder)
{
    /// <summary>The MonitorNetwork driver's TraceLogging provider, at Verbose (Packet events are level 5).</summary>
    public static EtwProvider Driver(ulong keywords) => new("etw-driver", ProviderContract.ProviderGuid, keywords, 5, () => new ContractDecoder());

    /// <summary>Microsoft-Windows-Kernel-Network: TCP and UDP over IPv4 and IPv6, at Informational.</summary>
    public static EtwProvider KernelNetwork() =>
        new("etw-kernel", KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.Keywords, 4, () => new KernelNetworkDecoder());

    /// <summary>Picks the provider for --source: driver, kernel, or auto (the driver when its service runs).</summary>
    public static EtwProvider Choose(string source, ulong keywords, Func<bool> driverRunning) => source.ToLowerInvariant() switch
    {
        "driver" => Driver(keywords),
        "kernel" => KernelNetwork(),
        "auto" => driverRunning() ? Driver(keywords) : KernelNetwork(),
        _ => throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, $"--source: '{source}' is not driver, kernel or auto"),
    };
}
