// Sizes and timings of the bounded pipeline; defaults were chosen for ETW real-time rates (see README).
namespace MonitorNetwork.Collector.Pipeline;

/// <summary>How the pipeline queues and batches events.</summary>
public sealed record PipelineOptions
{
    /// <summary>Most events held between the source and the writer.</summary>
    public int QueueCapacity { get; init; } = 262_144;
    /// <summary>Most events per transaction.</summary>
    public int BatchSize { get; init; } = 10_000;
    /// <summary>Longest an event waits in a partial batch.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// When the queue is full: false drops and counts (live sessions, whose callback must never block);
    /// true makes the producer wait (file imports, which can be paused and must not lose anything).
    /// </summary>
    public bool BlockWhenFull { get; init; }
}
