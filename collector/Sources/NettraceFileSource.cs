// Imports a .nettrace recording (EventPipe's file format) on any OS.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Reads a .nettrace file through TraceEvent's <see cref="EventPipeEventSource"/>.</summary>
public sealed class NettraceFileSource(string path) : ITraceSource
{
    private static readonly byte[] s_magic = "Nettrace"u8.ToArray();
    private FileStream? _stream;
    private long _length = 1;
    private long _lost;
    private double _finalProgress;

    /// <inheritdoc/>
    public string Kind => "nettrace";
    /// <inheritdoc/>
    public string? Detail => Path.GetFullPath(path);
    /// <inheritdoc/>
    public double? Progress => _stream is { CanRead: true } s ? Math.Min(1.0, (double)s.Position / _length) : _finalProgress;
    /// <inheritdoc/>
    public long EventsLost => Interlocked.Read(ref _lost);

    /// <inheritdoc/>
    public async Task RunAsync(EventRouter router, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new MonitorNetworkException(FailureKind.NotFound, $"no such file: {full}");
        _stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            _length = Math.Max(1, _stream.Length);
            CheckMagic(_stream, full);
            EventPipeEventSource source;
            try
            {
                source = new EventPipeEventSource(_stream);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{full} is not a readable .nettrace file: {FirstLine(ex.Message)}", ex);
            }
            using (source)
            {
                // StopProcessing does not stop a file EventPipeEventSource (measured: a stopped 2M-event import read
                // to the end), so a stop closes the file under it; the read that fails then ends the import.
                using var abort = cancellationToken.Register(static s => ((FileStream)s!).Dispose(), _stream);
                try
                {
                    await TraceProcessing.RunAsync(source, router, cancellationToken).ConfigureAwait(false);
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
                    Interlocked.Exchange(ref _lost, source.EventsLost);
                    // Disposing the source closes the stream too; keep where reading stopped.
                    if (_stream.CanRead) _finalProgress = Math.Min(1.0, (double)_stream.Position / _length);
                }
            }
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void CheckMagic(FileStream stream, string full)
    {
        Span<byte> head = stackalloc byte[8];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read < head.Length || !head.SequenceEqual(s_magic))
            throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{full} is not a .nettrace file (it lacks the 'Nettrace' header)");
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
