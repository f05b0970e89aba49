// Imports a .nettrace recording (EventPipe's file format) on any OS, through the shared TraceFileSource skeleton.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Reads a .nettrace file through TraceEvent's <see cref="EventPipeEventSource"/>.</summary>
public sealed class NettraceFileSource(string path, Decoding.IEventDecoder? decoder = null) : TraceFileSource(path, decoder)
{
    private static readonly byte[] s_magic = "Nettrace"u8.ToArray();
    private FileStream? _stream;
    private long _length = 1;
    private double _finalProgress;
    private string? _repaired;
    private NettraceSalvage.Layout? _damaged;

    /// <inheritdoc/>
    public override string Kind => "nettrace";
    /// <inheritdoc/>
    public override double? Progress => _stream is { CanRead: true } s ? Math.Min(1.0, (double)s.Position / _length) : _finalProgress;
    /// <inheritdoc/>
    protected override string FormatName => ".nettrace";

    /// <inheritdoc/>
    protected override TraceEventDispatcher Open(string fullPath)
    {
        _stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        _length = Math.Max(1, _stream.Length);
        Span<byte> head = stackalloc byte[8];
        var read = _stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        _stream.Position = 0;
        if (read < head.Length || !head.SequenceEqual(s_magic))
            throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{fullPath} is not a .nettrace file (it lacks the 'Nettrace' header)");
        if (NettraceHeader.ReadQpcFrequency(_stream) is { } frequency && !NettraceHeader.Plausible(frequency))
            throw new MonitorNetworkException(FailureKind.BadTraceFile,
                $"{fullPath}: its recorded clock frequency is {frequency} Hz, which no clock has, so none of its times can be trusted; it was not imported");
        var layout = NettraceSalvage.Read(_stream);
        if (!layout.EndsCleanly)
        {
            if (layout.Boundaries.Count == 0)
                throw new MonitorNetworkException(FailureKind.BadTraceFile, $"{fullPath} is damaged before its first block: there is nothing to salvage");
            // Read a copy cut after the last complete block and properly closed: TraceEvent then dispatches every
            // event of the complete blocks, which it would otherwise hold back for a sequence point that never comes.
            _repaired = Path.Combine(Path.GetTempPath(), $"monitornetwork-salvage-{Guid.NewGuid():N}.nettrace");
            NettraceSalvage.WriteRepaired(_stream, layout, _repaired);
            _damaged = layout;
            _stream.Dispose();
            _stream = new FileStream(_repaired, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            _length = Math.Max(1, _stream.Length);
        }
        _stream.Position = 0;
        return new EventPipeEventSource(_stream);
    }

    /// <inheritdoc/>
    public override long? BytesSkipped => _damaged is { } d ? d.Length - d.CompleteEnd : null;

    /// <summary>A salvaged file ends its import as "truncated", exit 4, with what was kept committed.</summary>
    protected override MonitorNetworkException? Verdict() => _damaged is { } d
        ? new MonitorNetworkException(FailureKind.BadTraceFile,
            $"{Detail} is truncated or damaged at byte {d.CompleteEnd:N0} of {d.Length:N0}: kept the events of its {d.Boundaries.Count - 1} complete blocks, skipped {d.Length - d.CompleteEnd:N0} bytes")
            { SessionStatus = Events.SessionStatus.Truncated }
        : null;

    /// <summary>
    /// StopProcessing does not stop a file EventPipeEventSource (measured: a stopped 2M-event import read to the
    /// end), so a stop closes the file under it; the read that fails then ends the import.
    /// </summary>
    protected override void RequestStop(TraceEventDispatcher reader) => _stream?.Dispose();

    /// <inheritdoc/>
    protected override void OnReadEnded()
    {
        if (_stream is not null)
        {
            if (_stream.CanRead) _finalProgress = Math.Min(1.0, (double)_stream.Position / _length);
            _stream.Dispose();
        }
        if (_repaired is not null) File.Delete(_repaired);
    }
}
