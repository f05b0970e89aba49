// Imports an .etl recording (WPR, xperf, tracelog), through the shared TraceFileSource skeleton. Windows only:
// TraceEvent decodes .etl through TDH.
using System.Runtime.Versioning;
using Microsoft.Diagnostics.Tracing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Reads an .etl file through TraceEvent's <see cref="ETWTraceEventSource"/>.</summary>
[SupportedOSPlatform("windows")]
public sealed class EtlFileSource(string path, Decoding.IEventDecoder? decoder = null) : TraceFileSource(path, decoder)
{
    private double _endMs = 1;
    private double _lastMs;

    /// <inheritdoc/>
    public override string Kind => "etl";
    /// <summary>How far into the recording's time span the last event was: .etl files are read by time, not bytes.</summary>
    public override double? Progress => Math.Clamp(Volatile.Read(ref _lastMs) / _endMs, 0, 1);
    /// <inheritdoc/>
    protected override string FormatName => ".etl";

    /// <inheritdoc/>
    protected override TraceEventDispatcher Open(string fullPath)
    {
        var source = new ETWTraceEventSource(fullPath);
        _endMs = Math.Max(1, source.SessionEndTimeRelativeMSec);
        source.AllEvents += data => Volatile.Write(ref _lastMs, data.TimeStampRelativeMSec);
        return source;
    }

    /// <summary>An ETW file source honours StopProcessing after the current buffer.</summary>
    protected override void RequestStop(TraceEventDispatcher reader) => reader.StopProcessing();
}
