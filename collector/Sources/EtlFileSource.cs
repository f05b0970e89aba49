// Imports an .etl recording (WPR, xperf, tracelog). Windows only: TraceEvent decodes .etl through TDH.
using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Reads an .etl file through TraceEvent's <see cref="ETWTraceEventSource"/>.</summary>
[SupportedOSPlatform("windows")]
public sealed class EtlFileSource(string path) : ITraceSource
{
    private long _lost;

    /// <inheritdoc/>
    public string Kind => "etl";
    /// <inheritdoc/>
    public string? Detail => Path.GetFullPath(path);
    /// <inheritdoc/>
    public double? Progress => null;
    /// <inheritdoc/>
    public long EventsLost => Interlocked.Read(ref _lost);

    /// <inheritdoc/>
    public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new MonitorNetworkException(FailureKind.NotFound, $"no such file: {full}");
        ETWTraceEventSource source;
        try
        {
            source = new ETWTraceEventSource(full);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{full} is not a readable .etl file: {ex.Message.Split('\n')[0].Trim()}", ex);
        }
        using (source)
        {
            try
            {
                await TraceProcessing.RunAsync(source, router, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Exchange(ref _lost, source.EventsLost);
            }
        }
    }
}
