// Which store a command uses when --db is not given: the Collector:DatabasePath of appsettings.json beside the
// program, overridden by MONITORNETWORK_Collector__DatabasePath, else the default for this OS and token
// (StorePaths). collect gets the same answer through its host's configuration.
using Microsoft.Extensions.Configuration;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Configuration;

/// <summary>Resolves the database path of import, query and stats.</summary>
public static class StoreLocation
{
    /// <summary>The --db value when given, else the configured path, else the default.</summary>
    public static string Resolve(string? given) => Resolve(given, AppContext.BaseDirectory);

    /// <summary>The service's store: as <see cref="Resolve(string?)"/>, with the service's settings file read after appsettings.json.</summary>
    public static string ResolveForService(string? given, string settingsFile) => Resolve(given, AppContext.BaseDirectory, settingsFile);

    /// <summary><see cref="Resolve(string?)"/> with the directory holding appsettings.json given, and a settings file read after it.</summary>
    internal static string Resolve(string? given, string programDirectory, string? settingsFile = null)
    {
        if (given is not null)
        {
            // An empty --db (an unset shell variable, say) must not quietly mean the default store.
            if (string.IsNullOrWhiteSpace(given)) throw new Failures.MonitorNetworkException(Failures.FailureKind.Usage, "--db: the path is empty");
            return given;
        }
        var builder = new ConfigurationBuilder().AddJsonFile(Path.Combine(programDirectory, "appsettings.json"), optional: true);
        if (settingsFile is not null) builder.AddJsonFile(Path.GetFullPath(settingsFile), optional: true);
        var configured = builder.AddEnvironmentVariables("MONITORNETWORK_")
            .Build()[$"{CollectorOptions.Section}:{nameof(CollectorOptions.DatabasePath)}"];
        return string.IsNullOrWhiteSpace(configured) ? StorePaths.DefaultDatabasePath() : configured;
    }
}
