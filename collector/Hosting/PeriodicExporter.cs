// `collect --export-every 1h --export-to DIR`: the export in the background of a continuous agent. Each run opens
// its own connection (WAL lets it read while the collector writes; its watermark commits wait on the busy timeout
// like any writer) and a failed run is logged and retried at the next interval: no data is lost, since what was not
// exported stays behind the watermarks.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Export;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Runs an export every interval while the host runs (when collect was given --export-to).</summary>
public sealed class PeriodicExporter(CollectorSettings settings, ILogger<PeriodicExporter> logger) : BackgroundService
{
    private readonly CollectorSettings _settings = settings;

    /// <summary>Completed runs so far.</summary>
    public int Runs { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_settings.Export is not { } export) return;
        using var timer = new PeriodicTimer(export.Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) await RunOnceAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One export run; failures are logged, never thrown into the host.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (_settings.Export is not { } export || !File.Exists(_settings.DatabasePath)) return; // nothing collected yet
        try
        {
            using var connection = StoreDatabase.OpenForWriting(_settings.DatabasePath, TimeSpan.FromSeconds(5));
            if (export.Target.Length > 0)
            {
                var result = await new ParquetExporter(connection).ExportAsync(new ExportOptions(export.Target, Environment.MachineName), cancellationToken).ConfigureAwait(false);
                logger.LogInformation("export to {Target}: {Summary}", export.Target, result.Summary());
            }
            if (export.Ipfix is { } collector)
            {
                // A collector that is down loses nothing over TCP, nor over UDP where its host answers "port unreachable":
                // the send fails and the segments stay to send; the next run resends from there.
                var sent = await new Export.Ipfix.IpfixExporter(connection).ExportAsync(new Export.Ipfix.IpfixOptions(collector.Host, collector.Port), cancellationToken).ConfigureAwait(false);
                logger.LogInformation("ipfix to {Host}:{Port}: {Summary}", collector.Host, collector.Port, sent.Summary());
            }
            Runs++;
        }
#pragma warning disable CA1031 // The agent keeps collecting; the next run retries from the same watermarks.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogWarning("export to {Target} failed, retried in {Interval}: {Message}", export.Target, export.Every, ex.Message);
        }
    }
}
