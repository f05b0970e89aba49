// Options shared by several commands, defined once so their names and help read the same everywhere.
using System.CommandLine;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Shared option definitions.</summary>
internal static class CommonOptions
{
    /// <summary>
    /// --db PATH. No default value of its own: when it is not given, appsettings.json and MONITORNETWORK_ variables
    /// decide (Configuration/StoreLocation), so the help states the final default once.
    /// </summary>
    public static Option<string?> Database() => new("--db")
    {
        Description = $"SQLite database file (default: Collector:DatabasePath of appsettings.json, else {StorePaths.DefaultDatabasePath()})",
        HelpName = "PATH",
    };
}
