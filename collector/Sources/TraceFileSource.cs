// The one skeleton of every recording import (.nettrace, .etl): a missing file is NotFound, a file the reader
// refuses is BadTraceFile, a read that fails midway is BadTraceFile (after what was read is committed), a stop
// request ends the read early and the run records "interrupted", and progress and loss are reported the same way.
// Each format supplies only how to open its reader, how to stop it, and how far it got.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>A recording read by a TraceEvent dispatcher.</summary>
/// <param name="path">The file.</param>
/// <param name="decoder">How its events are decoded (by default the contract, process names and DNS answers).</param>
public abstract class TraceFileSource(string path, Decoding.IEventDecoder? decoder = null) : ITraceSource
{
    private long _lost;

    /// <inheritdoc/>
    public abstract string Kind { get; }
    /// <inheritdoc/>
    public string? Detail => Path.GetFullPath(path);
    /// <inheritdoc/>
    public bool IsLive => false;
    /// <inheritdoc/>
    public abstract double? Progress { get; }
    /// <inheritdoc/>
    public long EventsLost => Interlocked.Read(ref _lost);
    /// <inheritdoc/>
    public Decoding.IEventDecoder Decoder { get; } = decoder ?? EtwProvider.RecordingDecoder();

    /// <summary>How the format is named in messages (".nettrace", ".etl").</summary>
    protected abstract string FormatName { get; }

    /// <summary>Opens the reader; throw <see cref="MonitorNetworkException"/> to say precisely what is wrong.</summary>
    protected abstract TraceEventDispatcher Open(string fullPath);

    /// <summary>Makes a running <see cref="TraceEventDispatcher.Process"/> end soon after a stop request.</summary>
    protected abstract void RequestStop(TraceEventDispatcher reader);

    /// <summary>The file's content identity, when the importer computed it.</summary>
    public Store.ImportIdentity? Identity { get; init; }

    /// <summary>Bytes of the input a damaged file's salvage had to leave out (recorded in the session row).</summary>
    public virtual long? BytesSkipped => null;

    /// <summary>A failure to report after everything readable was read (a salvaged file), or null.</summary>
    protected virtual MonitorNetworkException? Verdict() => null;

    /// <summary>Called once reading has ended, however it ended: record the final progress, release files.</summary>
    protected virtual void OnReadEnded() { }

    /// <inheritdoc/>
    public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new MonitorNetworkException(FailureKind.NotFound, $"no such file: {full}");
        TraceEventDispatcher reader;
        try
        {
            reader = Open(full);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OnReadEnded();
            if (ex is MonitorNetworkException) throw;
            throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{full} is not a readable {FormatName} file: {FirstLine(ex.Message)}", ex);
        }
        using (reader)
        {
            using var stop = cancellationToken.Register(() => RequestStop(reader));
            try
            {
                await TraceProcessing.RunAsync(reader, router, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // stopped on request: what was read before is in the pipeline and will be committed
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not MonitorNetworkException)
            {
                throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{full} is truncated or corrupt: {FirstLine(ex.Message)}", ex);
            }
            finally
            {
                Interlocked.Exchange(ref _lost, reader.EventsLost);
                OnReadEnded(); // before the reader's disposal, which may close what the progress is read from
            }
        }
        if (!cancellationToken.IsCancellationRequested && Verdict() is { } verdict) throw verdict;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
