// Configuration the way .NET users expect it: appsettings.json, then MONITORNETWORK_ environment variables, then
// the options given on the command line (an option left at its default overrides nothing). One test per key for
// collect; the store of import, query and stats; and the default store for each OS and token.
using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}

[Collection(EnvironmentCollection.Name)]
public class ConfigurationTests
{
    /// <summary>Each collect key, a value unlike its default, and how to read it back from the bound options.</summary>
    public static TheoryData<string, string> CollectKeys() => new()
    {
        { "DatabasePath", "/tmp/configured.db" },
        { "Keywords", "flow" },
        { "Source", "kernel" },
        { "SessionName", "MonitorNetwork-Other" },
        { "BufferSizeMB", "512" },
        { "QueueCapacity", "1234" },
        { "BatchSize", "77" },
        { "FlushIntervalMs", "250" },
        { "Duration", "5m" },
        { "PacketRetention", "2d" },
        { "FlowRetention", "30d" },
        { "MaxDatabaseSize", "3GB" },
        { "Force", "True" },
        { "ExportTo", "/tmp/fleet" },
        { "ExportEvery", "1h" },
        { "ExportIpfix", "127.0.0.1:4739" },
        { "Dns", "False" },
        { "DnsWindow", "15m" },
    };

    private static string Bound(CollectorOptions o, string key) =>
        Convert.ToString(typeof(CollectorOptions).GetProperty(key)!.GetValue(o), System.Globalization.CultureInfo.InvariantCulture)!;

    private static CollectorOptions BindCollect(IReadOnlyDictionary<string, string?> commandLine)
    {
        using var host = CollectorHost.Build(commandLine, (_, _) => throw new InvalidOperationException("not started"));
        return host.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
    }

    private static void WithVariable(string name, string? value, Action body)
    {
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try { body(); }
        finally { Environment.SetEnvironmentVariable(name, before); }
    }

    [Fact]
    public void CollectOptions_EveryKeyTested()
    {
        var keys = CollectKeys().Select(row => row.Data.Item1).Order();
        Assert.Equal(typeof(CollectorOptions).GetProperties().Select(p => p.Name).Order(), keys);
    }

    [Theory]
    [MemberData(nameof(CollectKeys))]
    public void Collect_EnvironmentVariable_OverridesAppsettings(string key, string value) =>
        WithVariable($"MONITORNETWORK_Collector__{key}", value, () => Assert.Equal(value, Bound(BindCollect(new Dictionary<string, string?>()), key)));

    [Theory]
    [MemberData(nameof(CollectKeys))]
    public void Collect_CommandLine_OverridesTheEnvironment(string key, string value) =>
        WithVariable($"MONITORNETWORK_Collector__{key}", "from-environment", () =>
            Assert.Equal(value, Bound(BindCollect(new Dictionary<string, string?> { [$"Collector:{key}"] = value }), key)));

    [Fact]
    public void Collect_DatabasePathInAppsettings_UsedWhenNoDbIsGiven()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), """{ "Collector": { "DatabasePath": "/data/collect-from-appsettings.db", "Keywords": "flow,health" } }""");
        using var host = CollectorHost.Build(CollectOverrides(), (_, _) => throw new InvalidOperationException("not started"), dir.Path);
        var o = host.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
        Assert.Equal(("/data/collect-from-appsettings.db", "flow,health"), (o.DatabasePath, o.Keywords));
        using var given = CollectorHost.Build(CollectOverrides("--db", "cli.db"), (_, _) => throw new InvalidOperationException("not started"), dir.Path);
        Assert.Equal(Path.GetFullPath("cli.db"), given.Services.GetRequiredService<IOptions<CollectorOptions>>().Value.DatabasePath);
    }

    [Fact]
    public void Collect_OptionsLeftAtTheirDefaults_OverrideNothing()
    {
        Assert.Empty(CollectOverrides());
        var given = CollectOverrides("--retention", "3d", "--force", "--db", "x.db");
        Assert.Equal(new Dictionary<string, string?>
        {
            ["Collector:PacketRetention"] = "3d",
            ["Collector:Force"] = "true",
            ["Collector:DatabasePath"] = Path.GetFullPath("x.db"), // absolute: a service does not run where it was given
        }, given);
        Assert.Equal("false", CollectOverrides("--no-dns")["Collector:Dns"]);
    }

    [Fact]
    public void Collect_SettingsFile_ReadAfterAppsettings_BeforeEnvironmentAndCommandLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), """{ "Collector": { "DatabasePath": "/data/app.db", "Keywords": "flow", "PacketRetention": "1d" } }""");
        File.WriteAllText(dir.File("service-settings.json"), """{ "Collector": { "DatabasePath": "/data/service.db", "Keywords": "flow,health" } }""");
        using var host = CollectorHost.Build(CollectOverrides("--retention", "3d"), (_, _) => throw new InvalidOperationException("not started"), dir.Path, dir.File("service-settings.json"));
        var o = host.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
        Assert.Equal(("/data/service.db", "flow,health", "3d"), (o.DatabasePath, o.Keywords, o.PacketRetention));
    }

    private static Dictionary<string, string?> CollectOverrides(params string[] args)
    {
        var options = new Cli.CollectOptionSet(forService: false);
        var command = new System.CommandLine.Command("collect");
        foreach (var option in options.All) command.Options.Add(option);
        return options.Overrides(command.Parse(args));
    }

    [Fact]
    public void Import_DatabasePathInAppsettings_UsedWhenNoDbIsGiven()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), """{ "Collector": { "DatabasePath": "/data/from-appsettings.db" } }""");
        Assert.Equal("/data/from-appsettings.db", StoreLocation.Resolve(null, dir.Path));
        WithVariable("MONITORNETWORK_Collector__DatabasePath", "/data/from-env.db", () =>
        {
            Assert.Equal("/data/from-env.db", StoreLocation.Resolve(null, dir.Path));
            Assert.Equal("given.db", StoreLocation.Resolve("given.db", dir.Path));
        });
        File.WriteAllText(dir.File("appsettings.json"), """{ "Collector": { "DatabasePath": "" } }""");
        Assert.Equal(StorePaths.DefaultDatabasePath(), StoreLocation.Resolve(null, dir.Path));
    }

    [Theory]
    [InlineData(true, true, @"ProgramData\MonitorNetwork\monitornetwork.db")]    // collect, the service (LocalSystem)
    [InlineData(true, false, @"LocalAppData\MonitorNetwork\monitornetwork.db")]  // a user's import, query, stats
    [InlineData(false, false, "xdg/monitornetwork/monitornetwork.db")]
    [InlineData(false, true, "xdg/monitornetwork/monitornetwork.db")]
    public void DefaultStore_ByOsAndToken(bool windows, bool elevated, string expected)
    {
        var path = StorePaths.DefaultDatabasePath(windows, elevated,
            name => name == "XDG_DATA_HOME" ? "xdg" : null,
            folder => folder switch
            {
                Environment.SpecialFolder.CommonApplicationData => "ProgramData",
                Environment.SpecialFolder.LocalApplicationData => "LocalAppData",
                _ => "home",
            });
        Assert.Equal(expected.Replace('\\', Path.DirectorySeparatorChar).Replace('/', Path.DirectorySeparatorChar), path.Replace('\\', Path.DirectorySeparatorChar).Replace('/', Path.DirectorySeparatorChar));
    }

    [Fact]
    public async Task BuiltProgram_ImportWithoutDb_WritesTheStoreNamedInItsAppsettings()
    {
        using var dir = new TempDirectory();
        // A copy of the built program, so its appsettings.json can be edited as a user would.
        var program = Path.Combine(dir.Path, "program");
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(program, Path.GetRelativePath(AppContext.BaseDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var store = dir.File("configured.db");
        File.WriteAllText(Path.Combine(program, "appsettings.json"),
            $$"""{ "Collector": { "DatabasePath": {{System.Text.Json.JsonSerializer.Serialize(store)}} } }""");
        var trace = dir.File("small.nettrace");
        await NettraceRecorder.RecordAsync(trace, TrafficScript.Build(flows: 3, packetsPerFlow: 2));

        var start = new ProcessStartInfo("dotnet", [Path.Combine(program, "monitornetwork.dll"), "import", trace])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("MONITORNETWORK_Collector__DatabasePath");
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(child.ExitCode == 0, await stderr);
        Assert.True(File.Exists(store), "the store named in appsettings.json was not written");
    }

    [Fact]
    public async Task BadCollectSetting_IsNamedAsTheUserWroteIt_OnAnyOS()
    {
        // Parsed once, by CollectorSettings.From, before the OS is even asked: the option on the command line...
        var cli = await TestSupport.CliRun.RunAsync("collect", "--retention", "soon");
        Assert.Equal(2, cli.Code);
        Assert.Equal("monitornetwork: error: --retention: 'soon' is not a duration (examples: 500ms, 30s, 5m, 2h, 1d, 00:05:00)", cli.Error.Trim());
        // ...and the configuration key when the value came from a settings file.
        using var dir = new TestSupport.TempDirectory();
        var file = dir.File("service-settings.json");
        await File.WriteAllTextAsync(file, """{ "Collector": { "MaxDatabaseSize": "huge" } }""", TestContext.Current.CancellationToken);
        var fromFile = await TestSupport.CliRun.RunAsync("collect", "--settings", file);
        Assert.Equal(2, fromFile.Code);
        Assert.StartsWith("monitornetwork: error: Collector:MaxDatabaseSize: ", fromFile.Error.Trim());
        var both = await TestSupport.CliRun.RunAsync("collect", "--export-every", "1h");
        Assert.Equal("monitornetwork: error: --export-every goes with Collector:ExportTo or Collector:ExportIpfix", both.Error.Trim());
    }
}
