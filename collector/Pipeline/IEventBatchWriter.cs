// The seam between the pipeline and storage: the pipeline batches, the writer commits.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Pipeline;

/// <summary>Commits batches of events. Called only from the pipeline's single writer task.</summary>
public interface IEventBatchWriter
{
    /// <summary>
    /// Writes the batch in one transaction together with <paramref name="counters"/> (the run's counters as they will
    /// stand once the batch is committed), so a crash never leaves counters that disagree with the rows.
    /// Throws when the batch could not be committed; nothing of it is then stored.
    /// </summary>
    void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters);
}
