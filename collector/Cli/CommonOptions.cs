// Options shared by several commands, defined once so their names and help read the same everywhere.
using System.CommandLine;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Shared option definitions.</summary>
internal static class CommonOptions
{
    /// <summary>--db PATH, defaulting to the platform's database path.</summary>
    public static Option<string> Database() => new("--db")
    {
        Description = $"SQLite database file (default: {StorePaths.DefaultDatabasePath()})",
        HelpName = "PATH",
        DefaultValueFactory = _ => StorePaths.DefaultDatabasePath(),
    };
}
