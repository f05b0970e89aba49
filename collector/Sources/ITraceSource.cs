// The seam between where events come from (ETW real-time, .etl, .nettrace, a live EventPipe) and the run
// that stores them. Tests replace the Windows sources with EventPipe ones through this interface.
using MonitorNetwork.Collector.Routing;
namespace MonitorNetwork.Collector.Sources;

/// <summary>A stream of trace events that feeds an <see cref="EventRouter"/> until it ends or is cancelled.</summary>
public interface ITraceSource
{
    /// <summary>The source kind stored in collector_session.source (etw-driver, etw-kernel, etl, nettrace, eventpipe).</summary>
    string Kind { get; }

    /// <summary>File path or session name, stored in collector_session.source_detail.</summary>
    string? Detail { get; }

    /// <summary>
    /// A live session (ETW real-time, EventPipe) rather than a file. A stop request ends a live source normally
    /// ("completed") and a file early ("interrupted").
    /// </summary>
    bool IsLive { get; }

    /// <summary>Fraction of the input read so far (0..1) for files, when known; null for live sources.</summary>
    double? Progress { get; }

    /// <summary>Events the transport reported lost so far.</summary>
    long EventsLost { get; }

    /// <summary>Whole buffers the transport reported undelivered so far (ETW real-time sessions); 0 elsewhere.</summary>
    long BuffersLost => 0;

    /// <summary>The imported file's content identity (recorded with the session); null for live sources.</summary>
    Store.ImportIdentity? Identity => null;

    /// <summary>Bytes of a damaged recording that could not be read (after its last complete block); null when nothing was salvaged.</summary>
    long? BytesSkipped => null;

    /// <summary>
    /// The decoder of this source's events, given to the source when it was made (the MonitorNetwork contract unless
    /// it was given another). A source runs once, so the decoder's per-type caches belong to that one run.
    /// </summary>
    Decoding.IEventDecoder Decoder => new Decoding.ContractDecoder();

    /// <summary>
    /// Turns this source's packets into flow records (Kernel-Network without the Packet keyword: the driver's
    /// FlowStats rule applied by the collector); null when the source writes its own records or none are wanted.
    /// </summary>
    Decoding.FlowRecordBuilder? FlowRecords => null;

    /// <summary>
    /// Delivers events to <paramref name="router"/> until the input ends or <paramref name="cancellationToken"/> fires.
    /// Throws <see cref="Failures.MonitorNetworkException"/> for input that cannot be read.
    /// </summary>
    Task RunAsync(EventRouter router, CancellationToken cancellationToken);
}
