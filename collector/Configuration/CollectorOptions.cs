// Settings of `collect`, bound from appsettings.json ("Collector" section), then MONITORNETWORK_ environment variables
// (MONITORNETWORK_Collector__DatabasePath), then the options given on the command line.
namespace MonitorNetwork.Collector.Configuration;

/// <summary>Configuration of the collector service.</summary>
public sealed class CollectorOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Collector";

    /// <summary>SQLite file; empty means the platform default (see StorePaths).</summary>
    public string DatabasePath { get; set; } = "";
    /// <summary>Comma-separated contract keywords: flow, packet, health, all.</summary>
    public string Keywords { get; set; } = "flow,health";
    /// <summary>driver, kernel (Microsoft-Windows-Kernel-Network), or auto: the driver when its service runs.</summary>
    public string Source { get; set; } = "auto";
    /// <summary>Collect DNS answers (Microsoft-Windows-DNS-Client) to name remote hosts; false with collect --no-dns.</summary>
    public bool Dns { get; set; } = true;
    /// <summary>A flow's remote takes a name resolved at most this long before it began ("1h").</summary>
    public string DnsWindow { get; set; } = "1h";
    /// <summary>ETW session name.</summary>
    public string SessionName { get; set; } = "MonitorNetwork";
    /// <summary>Replace a running ETW session of the same name instead of refusing (collect --force).</summary>
    public bool Force { get; set; }
    /// <summary>ETW buffer memory in MB; 0 (the default) is TraceEvent's default, max(64, 2 x processors).</summary>
    public int BufferSizeMB { get; set; }
    /// <summary>Bounded queue capacity, in events.</summary>
    public int QueueCapacity { get; set; } = 262_144;
    /// <summary>Events per transaction at most.</summary>
    public int BatchSize { get; set; } = 10_000;
    /// <summary>Longest wait before a partial batch is committed.</summary>
    public int FlushIntervalMs { get; set; } = 1000;
    /// <summary>Stop after this long ("30s", "5m", "00:10:00"); empty runs until stopped.</summary>
    public string Duration { get; set; } = "";
    /// <summary>Packets older than this are pruned ("7d").</summary>
    public string PacketRetention { get; set; } = "7d";
    /// <summary>Flows and minute rollups older than this are pruned ("90d").</summary>
    public string FlowRetention { get; set; } = "90d";
    /// <summary>Export to this directory in the background (with ExportEvery); empty: no export.</summary>
    public string ExportTo { get; set; } = "";
    /// <summary>How often the background export runs ("1h").</summary>
    public string ExportEvery { get; set; } = "";
    /// <summary>Send flow segments to this IPFIX collector ("HOST:PORT", UDP) in the background (with ExportEvery); empty: none.</summary>
    public string ExportIpfix { get; set; } = "";
    /// <summary>Largest the database may grow ("10GB"); the oldest packets go first past it.</summary>
    public string MaxDatabaseSize { get; set; } = "10GB";
}
