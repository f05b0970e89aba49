// The options of `collect`, defined once for `collect` and `service install`, so the service can be given every
// setting a console run can (install used to take four of them), parsed by the same CollectorSettings.From, and turned into the same
// configuration keys: only the options actually given, so an option left at its default never hides
// appsettings.json, the service's settings file or a MONITORNETWORK_ variable.
using System.CommandLine;
using MonitorNetwork.Collector.Configuration;
using Microsoft.Extensions.Configuration;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Cli;

/// <summary>The collect options, for one command.</summary>
internal sealed class CollectOptionSet
{
    /// <summary>The options for `collect`, or for `service install` (<paramref name="forService"/>: no --duration, no --force).</summary>
    public CollectOptionSet(bool forService)
    {
        Database = CommonOptions.Database();
        Keywords = new Option<string>("--keywords")
        {
            Description = "Contract keywords to enable: flow, packet, health or all (comma-separated)",
            DefaultValueFactory = _ => "flow,health",
        };
        Retention = new Option<string>("--retention") { Description = "Delete packets older than this (flows and rollups are kept 90d)", DefaultValueFactory = _ => "7d", HelpName = "T" };
        MaxSize = new Option<string>("--max-size") { Description = "Largest the database may grow; past it the oldest packets go first", DefaultValueFactory = _ => "10GB", HelpName = "SIZE" };
        Source = new Option<string>("--source")
        {
            Description = "driver (the MonitorNetwork WFP driver), kernel (Windows' built-in Kernel-Network provider), or auto: the driver when its service runs",
            DefaultValueFactory = _ => "auto",
        };
        Source.AcceptOnlyFromAmong("driver", "kernel", "auto");
        ExportEvery = new Option<string?>("--export-every") { Description = "Export the store as Parquet this often (with --export-to)", HelpName = "T" };
        ExportTo = new Option<string?>("--export-to") { Description = "Fleet directory for the background export (with --export-every)", HelpName = "DIR" };
        ExportIpfix = new Option<string?>("--export-ipfix") { Description = "Send flow segments to this IPFIX collector over UDP (with --export-every)", HelpName = "HOST:PORT" };
        NoDns = new Option<bool>("--no-dns") { Description = "Do not collect DNS answers (they name remote hosts, and are a browsing history)" };
        List<Option> all = [Database, Source, Keywords, Retention, MaxSize, NoDns, ExportEvery, ExportTo, ExportIpfix];
        if (!forService)
        {
            Duration = new Option<string?>("--duration") { Description = "Stop after this long (30s, 5m, 2h, 00:10:00); default: until Ctrl+C or service stop", HelpName = "T" };
            Force = new Option<bool>("--force") { Description = "Replace a running ETW session of the same name (one a crashed run left behind)" };
            all.InsertRange(3, [Duration, Force]);
        }
        All = all;
    }

    /// <summary>Every option, in help order.</summary>
    public IReadOnlyList<Option> All { get; }

    private Option<string?> Database { get; }
    private Option<string> Keywords { get; }
    private Option<string> Retention { get; }
    private Option<string> MaxSize { get; }
    private Option<string> Source { get; }
    private Option<string?> ExportEvery { get; }
    private Option<string?> ExportTo { get; }
    private Option<string?> ExportIpfix { get; }
    private Option<bool> NoDns { get; }
    private Option<string?>? Duration { get; }
    private Option<bool>? Force { get; }

    /// <summary>The configuration keys each option sets.</summary>
    private static readonly Dictionary<string, string> s_keys = new()
    {
        ["--db"] = "Collector:DatabasePath",
        ["--keywords"] = "Collector:Keywords",
        ["--source"] = "Collector:Source",
        ["--duration"] = "Collector:Duration",
        ["--retention"] = "Collector:PacketRetention",
        ["--max-size"] = "Collector:MaxDatabaseSize",
        ["--force"] = "Collector:Force",
        ["--export-every"] = "Collector:ExportEvery",
        ["--export-to"] = "Collector:ExportTo",
        ["--export-ipfix"] = "Collector:ExportIpfix",
        ["--no-dns"] = "Collector:Dns",
    };

    /// <summary>
    /// Names a setting as the user gave it: its option when given on this command line ("--retention"), else its
    /// configuration key ("Collector:PacketRetention", from appsettings.json, a settings file or a variable).
    /// </summary>
    public static Func<string, string> NameOf(IReadOnlyDictionary<string, string?> overrides) => property =>
    {
        var key = $"{CollectorOptions.Section}:{property}";
        return overrides.ContainsKey(key) && s_keys.FirstOrDefault(k => k.Value == key).Key is { } option ? option : key;
    };

    /// <summary>
    /// The settings these options make, parsed by CollectorSettings.From (for `service install`, which runs nothing here:
    /// a bad value is refused, exit 2, before anything is installed).
    /// </summary>
    public static CollectorSettings Parse(IReadOnlyDictionary<string, string?> overrides)
    {
        var options = new CollectorOptions();
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(overrides).Build()
            .GetSection(CollectorOptions.Section).Bind(options);
        return CollectorSettings.From(options, NameOf(overrides));
    }

    /// <summary>
    /// The configuration the command line sets: only the options actually given. Paths are made absolute, since a
    /// service does not run in the folder they were given in.
    /// </summary>
    public Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        foreach (var option in All)
        {
            if (!s_keys.TryGetValue(option.Name, out var key) || parse.GetResult(option) is not { Implicit: false }) continue;
            overrides[key] = option switch
            {
                Option<bool> flag when option.Name == "--no-dns" => parse.GetValue(flag) ? "false" : "true",
                Option<bool> flag => parse.GetValue(flag) ? "true" : "false",
                Option<string?> text when option == Database || option == ExportTo => parse.GetValue(text) is { } path ? Path.GetFullPath(path) : null,
                Option<string?> text => parse.GetValue(text), // Option<string> too: nullability is not a runtime type
                _ => throw new InvalidOperationException("collect option of an unexpected type: " + option.Name),
            };
        }
        return overrides;
    }
}
