// The batch's writers each own one family of tables; SqliteEventWriter runs them all inside one transaction.
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>One family of tables, written inside the batch's transaction.</summary>
internal interface IBatchTableWriter : IDisposable
{
    /// <summary>A batch begins: commands join <paramref name="tx"/>.</summary>
    void Begin(SqliteTransaction tx);

    /// <summary>Writes what was held back for the end of the batch (grouped rows, rollups), before the commit.</summary>
    void Flush();

    /// <summary>The batch was rolled back: forget what was cached about rows that no longer exist.</summary>
    void RolledBack();

    /// <summary>The batch is over, committed or not.</summary>
    void Ended();
}
