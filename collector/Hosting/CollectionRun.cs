// One run of the pipeline, shared by collect (live) and import (files): open the store, open a session row,
// feed the source through the router into the pipeline, then drain and close the session with its counters.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Settings of one run.</summary>
/// <param name="DatabasePath">The SQLite file to write.</param>
/// <param name="Pipeline">Queue and batch settings.</param>
/// <param name="BusyTimeout">How long one statement waits on a lock before Polly's backoff takes over.</param>
public sealed record RunSettings(string DatabasePath, PipelineOptions Pipeline, TimeSpan BusyTimeout)
{
    /// <summary>Retention and size limits for live collection; null (imports) keeps everything.</summary>
    public RetentionOptions? Retention { get; init; }

    /// <summary>A flow's remote takes a name resolved at most this long before it began.</summary>
    public TimeSpan DnsWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>SQLite's page cache for the run, in MiB (live collectors use <see cref="StoreDatabase.LivePageCacheMiB"/>).</summary>
    public int PageCacheMiB { get; init; } = StoreDatabase.DefaultPageCacheMiB;

    /// <summary>
    /// Store a recording even if the store has it (import --again). Otherwise a recording already there, or being
    /// imported by another process at this moment, is refused when the session is opened (AlreadyImported).
    /// </summary>
    public bool RepeatInput { get; init; }

    /// <summary>How often loss and progress are polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>Runs a source into the store.</summary>
public static class CollectionRun
{
    /// <summary>
    /// Runs <paramref name="source"/> until it ends or <paramref name="cancellationToken"/> fires, then drains.
    /// Cancellation is a normal end ("interrupted" for files, "completed" for live sources); a source failure is
    /// recorded as "failed" and rethrown after everything received has been committed.
    /// </summary>
    public static async Task<RunResult> ExecuteAsync(
        RunSettings settings, ITraceSource source, CancellationToken cancellationToken,
        ILogger? logger = null, Action<ITraceSource, PipelineCounters>? onPoll = null)
    {
        logger ??= NullLogger.Instance;
        var clock = Stopwatch.StartNew();
        using var connection = StoreDatabase.OpenForWriting(settings.DatabasePath, settings.BusyTimeout, settings.PageCacheMiB);
        var retry = ResilientBatchWriter.DefaultRetry();
        var sessionId = retry.Execute(() => SessionStore.Begin(connection, source.Kind, source.Detail, DateTimeOffset.UtcNow, source.Identity, exclusiveInput: !settings.RepeatInput));
        using var writer = new SqliteEventWriter(connection, sessionId)
        {
            DnsWindow = settings.DnsWindow,
            Pruner = settings.Retention is { } retention ? new StorePruner(connection, retention, () => DateTimeOffset.UtcNow) : null,
        };
        var failures = new WriteFailureReporter(logger, TimeSpan.FromSeconds(30));
        var pipeline = new EventPipeline(new ResilientBatchWriter(writer, retry), settings.Pipeline, failures.Report);
        pipeline.Start();

        var status = Events.SessionStatus.Completed;
        Exception? failure = null;
        // A live run maps NT device paths with this machine's volumes; a recording may come from another machine,
        // whose volumes we do not know, so its paths only get one spelling each.
        var paths = new Decoding.ImagePathNormalizer(source.IsLive ? VolumeMap.Read() : new Dictionary<string, string>());
        var router = new EventRouter(pipeline, source.Decoder, paths, source.FlowRecords);
        var running = source.RunAsync(router, cancellationToken);
        try
        {
            while (await Task.WhenAny(running, Task.Delay(settings.PollInterval, CancellationToken.None)).ConfigureAwait(false) != running)
            {
                ReportTransportLoss(source, pipeline.Counters);
                onPoll?.Invoke(source, pipeline.Counters);
            }
            await running.ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested && !source.IsLive) status = Events.SessionStatus.Interrupted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status = source.IsLive ? Events.SessionStatus.Completed : Events.SessionStatus.Interrupted;
        }
#pragma warning disable CA1031 // Recorded in the session row, then rethrown once the drain has committed what arrived.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status = ex is Failures.MonitorNetworkException m ? m.SessionStatus : Events.SessionStatus.Failed;
            failure = ex;
        }

        router.Finish();
        ReportTransportLoss(source, pipeline.Counters);
        await pipeline.StopAsync().ConfigureAwait(false);
        onPoll?.Invoke(source, pipeline.Counters);
        var final = pipeline.Counters.Snapshot();
        var unknownKinds = pipeline.Counters.UnknownKinds;
        retry.Execute(() => SessionStore.Finish(connection, sessionId, status, final, DateTimeOffset.UtcNow, source.BytesSkipped, unknownKinds));
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return new RunResult(sessionId, status, final, clock.Elapsed) { OtherProviders = pipeline.Counters.OtherProviders };
    }

    private static void ReportTransportLoss(ITraceSource source, PipelineCounters counters)
    {
        counters.ReportLost(source.EventsLost);
        counters.ReportBuffersLost(source.BuffersLost);
    }
}
