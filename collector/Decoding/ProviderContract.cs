// The collector's copy of the ETW event contract in schema/events.json. ContractTests check that every
// name, type, keyword and level here matches that file, so the two cannot drift apart silently.
namespace MonitorNetwork.Collector.Decoding;

/// <summary>Provider identity, keywords and event names of the MonitorNetwork ETW contract.</summary>
public static class ProviderContract
{
    /// <summary>The TraceLogging/EventSource provider name.</summary>
    public const string ProviderName = "MonitorNetwork";

    /// <summary>schema/events.json's version this collector reads (and every earlier one).</summary>
    public const int ContractVersion = 2;

    /// <summary>The provider GUID: the EventSource name hash of <see cref="ProviderName"/>.</summary>
    public static readonly Guid ProviderGuid = new("4917cfb1-f0b6-5dd0-3607-3eb1a4b61c4b");

    /// <summary>Keyword bits the driver tags its events with.</summary>
    public static class Keywords
    {
        /// <summary>Per-packet events; high volume.</summary>
        public const ulong Packet = 0x1;
        /// <summary>Flow established, its counters every active interval, and deleted.</summary>
        public const ulong Flow = 0x2;
        /// <summary>Driver start, stop and counters.</summary>
        public const ulong Health = 0x4;
        /// <summary>Every keyword the contract defines.</summary>
        public const ulong All = Packet | Flow | Health;
    }

    /// <summary>Event names, the only key the collector uses (TraceLogging event IDs are synthetic).</summary>
    public static class Events
    {
        /// <summary>See schema/events.json.</summary>
        public const string FlowEstablished = "FlowEstablished";
        /// <summary>See schema/events.json.</summary>
        public const string FlowDeleted = "FlowDeleted";
        /// <summary>See schema/events.json.</summary>
        public const string FlowStats = "FlowStats";
        /// <summary>See schema/events.json.</summary>
        public const string Packet = "Packet";
        /// <summary>See schema/events.json.</summary>
        public const string DriverStarted = "DriverStarted";
        /// <summary>See schema/events.json.</summary>
        public const string DriverStopping = "DriverStopping";
        /// <summary>See schema/events.json.</summary>
        public const string DriverHealth = "DriverHealth";
        /// <summary>See schema/events.json.</summary>
        public const string UnloadTimeout = "UnloadTimeout";
    }

    /// <summary>Field names of each event, in contract order.</summary>
    public static class Fields
    {
        /// <summary>FlowEstablished fields.</summary>
        public static readonly string[] FlowEstablished =
            ["FlowId", "ProcessId", "Direction", "Protocol", "LocalAddress", "LocalPort", "RemoteAddress", "RemotePort", "ProcessPath"];
        /// <summary>FlowStats fields: the flow's identity, then its counters so far.</summary>
        public static readonly string[] FlowStats =
        [
            "FlowId", "ProcessId", "Direction", "Protocol", "LocalAddress", "LocalPort", "RemoteAddress", "RemotePort",
            "PacketsIn", "BytesIn", "PacketsOut", "BytesOut",
        ];
        /// <summary>FlowDeleted fields: FlowStats's, with the totals for the flow's whole life.</summary>
        public static readonly string[] FlowDeleted = FlowStats;
        /// <summary>FlowDeleted as contract version 1 wrote it (driver 1.0 recordings): FlowId and totals only.</summary>
        public static readonly string[] FlowDeletedVersion1 = ["FlowId", "PacketsIn", "BytesIn", "PacketsOut", "BytesOut"];
        /// <summary>Packet fields.</summary>
        public static readonly string[] Packet =
            ["FlowId", "ProcessId", "Direction", "Protocol", "LocalAddress", "LocalPort", "RemoteAddress", "RemotePort", "Bytes"];
        /// <summary>DriverStarted fields.</summary>
        public static readonly string[] DriverStarted = ["DriverVersion", "CalloutsRegistered"];
        /// <summary>DriverStopping fields (driver 1.0 wrote only the first four).</summary>
        public static readonly string[] DriverStopping =
        [
            "FlowsTracked", "FlowsActive", "ContextAllocFailures", "PacketsWithoutFlow",
            "AssociationFailures", "ClassifiesWithoutContext", "FlowsDeletedWithoutContext", "PacketsUnknownHeader",
        ];
        /// <summary>DriverHealth fields: DriverStopping's counters, every 60 s.</summary>
        public static readonly string[] DriverHealth = DriverStopping;
        /// <summary>UnloadTimeout fields.</summary>
        public static readonly string[] UnloadTimeout = ["Stage", "FlowsOutstanding", "CalloutsOutstanding"];
    }

    /// <summary>
    /// Parses a keyword list such as "flow,packet" into the keyword mask; throws <see cref="FormatException"/>
    /// naming the bad word.
    /// </summary>
    public static ulong ParseKeywords(string list)
    {
        ulong mask = 0;
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            mask |= word.ToLowerInvariant() switch
            {
                "packet" => Keywords.Packet,
                "flow" => Keywords.Flow,
                "health" => Keywords.Health,
                "all" => Keywords.All,
                _ => throw new FormatException($"unknown keyword '{word}' (expected flow, packet, health or all)"),
            };
        }
        if (mask == 0) throw new FormatException("no keyword given (expected flow, packet, health or all)");
        return mask;
    }
}
