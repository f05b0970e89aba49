// The hosted service behind `collect`, as a console program or a Windows service: one CollectionRun from
// start until the host stops (Ctrl+C, service stop, or --duration), then the drain.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Creates the live source for a set of options; the Windows build uses ETW, tests use EventPipe.</summary>
public delegate ITraceSource TraceSourceFactory(CollectorOptions options, ulong keywords);

/// <summary>Runs the collector inside the generic host.</summary>
public sealed class CollectorWorker(
    IOptions<CollectorOptions> options, CollectorSettings typed, TraceSourceFactory sourceFactory,
    IHostApplicationLifetime lifetime, ILogger<CollectorWorker> logger) : BackgroundService
{
    /// <summary>The run's result once it ended normally.</summary>
    public RunResult? Result { get; private set; }

    /// <summary>What ended the run, when it failed; the CLI maps it to an exit code.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Completes when the source is open (or the run failed before that).</summary>
    public Task Started => _started.Task;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the host finish starting before the store is opened on this thread
        var o = options.Value;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            if (typed.Duration is { } duration) stop.CancelAfter(duration);
            var settings = new RunSettings(
                typed.DatabasePath,
                new PipelineOptions
                {
                    QueueCapacity = o.QueueCapacity,
                    BatchSize = o.BatchSize,
                    FlushInterval = TimeSpan.FromMilliseconds(o.FlushIntervalMs),
                },
                TimeSpan.FromSeconds(1))
            {
                Retention = typed.Retention,
                DnsWindow = typed.DnsWindow ?? TimeSpan.FromHours(1),
                PageCacheMiB = Store.StoreDatabase.LivePageCacheMiB,
            };
            var source = sourceFactory(o, typed.Keywords);
            logger.LogInformation("collecting {Source} into {Database}", source.Kind, Path.GetFullPath(settings.DatabasePath));
            Result = await CollectionRun.ExecuteAsync(settings, source, stop.Token, logger,
                (_, _) => _started.TrySetResult()).ConfigureAwait(false);
            var c = Result.Counters;
            logger.LogInformation("stopped: received {Received}, written {Written}, dropped {Dropped}, lost {Lost}, malformed {Malformed}, unknown {Unknown}",
                c.Received, c.Written, c.Dropped, c.Lost, c.Malformed, c.Unknown);
        }
#pragma warning disable CA1031 // Kept for the CLI to map to an exit code; the host must still stop cleanly.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failure = ex;
        }
        finally
        {
            _started.TrySetResult();
            lifetime.StopApplication();
        }
    }
}
