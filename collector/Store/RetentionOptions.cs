// How long data is kept and how large the database may grow: continuous collection runs for weeks.
namespace MonitorNetwork.Collector.Store;

/// <summary>Retention and size limits of a live store; see README, Guarantees.</summary>
public sealed record RetentionOptions
{
    /// <summary>Packets older than this are deleted first. Default 7 days.</summary>
    public TimeSpan PacketRetention { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Flows and minute rollups older than this are deleted. Default 90 days.</summary>
    public TimeSpan FlowRetention { get; init; } = TimeSpan.FromDays(90);
    /// <summary>Most bytes the database file may hold (pages in use; the WAL adds up to ~64 MiB). Default 10 GiB.</summary>
    public long MaxDatabaseBytes { get; init; } = 10L * 1024 * 1024 * 1024;
    /// <summary>Rows deleted per statement, so pruning never holds the writer for long.</summary>
    public int ChunkRows { get; init; } = 20_000;
    /// <summary>Longest a pruning pass may take before it yields to ingest.</summary>
    public TimeSpan PassBudget { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>How often a pass runs.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);
}
