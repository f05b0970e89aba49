// The callback every TraceEvent source feeds: decode, then hand to the pipeline. It runs on the source's
// thread for every event of every provider in the session, so it never blocks (in live mode) and never throws.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Connects a TraceEvent source to the decoder and the pipeline.</summary>
/// <param name="pipeline">Where decoded events go.</param>
/// <param name="decoder">The source's decoder (the MonitorNetwork contract by default).</param>
/// <param name="paths">One spelling per image path for the whole run (default: spelling only, no volume map).</param>
/// <param name="flows">Turns the source's packets into flow records (the kernel source); null to post events as decoded.</param>
public sealed class EventRouter(EventPipeline pipeline, IEventDecoder? decoder = null, ImagePathNormalizer? paths = null, Flows.FlowRecordBuilder? flows = null)
{
    private readonly List<Events.MonitorEvent> _built = new();
    private long _lastUs;
    private readonly IEventDecoder _decoder = decoder ?? new ContractDecoder();
    private readonly ImagePathNormalizer _paths = paths ?? new ImagePathNormalizer(new Dictionary<string, string>());
    private long _sessionStartUs = long.MinValue;

    /// <summary>The pipeline events go to.</summary>
    public EventPipeline Pipeline => pipeline;

    /// <summary>
    /// Subscribes to every event of <paramref name="source"/>: those the dynamic (TDH/EventPipe metadata) parser
    /// decodes, and those no parser could (UnhandledEvents), so that an event of ours TraceEvent cannot parse is
    /// counted as unknown rather than vanishing.
    /// </summary>
    public void Attach(TraceEventSource source)
    {
        source.Dynamic.All += data => OnEvent(source, data);
        if (source is TraceEventDispatcher dispatcher) dispatcher.UnhandledEvents += data => OnEvent(source, data);
    }

    private void OnEvent(TraceEventSource source, TraceEvent data)
    {
        if (_sessionStartUs == long.MinValue) _sessionStartUs = TraceEventView.SessionStartUs(source);
        Route(new TraceEventView(data, _sessionStartUs));
    }

    /// <summary>Decodes one event and posts it, or counts why not.</summary>
    public void Route<TView>(in TView view) where TView : IEventView
    {
        var outcome = _decoder.Decode(view, out var decoded);
        if (outcome == DecodeOutcome.Decoded) Post(decoded!);
        else pipeline.Count(outcome);
    }

    /// <summary>Posts an event that did not come through the decoder (the process rundown), normalised like the rest.</summary>
    public void Post(Events.MonitorEvent e)
    {
        e = _paths.Apply(e);
        if (flows is null)
        {
            pipeline.Post(e);
            return;
        }
        _lastUs = Math.Max(_lastUs, e.TimestampUs);
        _built.Clear();
        flows.Add(e, _built);
        foreach (var built in _built) pipeline.Post(built);
    }

    /// <summary>The source has ended: posts the last flow records of flows that moved since their previous one.</summary>
    public void Finish()
    {
        if (flows is null) return;
        _built.Clear();
        flows.Flush(_lastUs, _built);
        foreach (var built in _built) pipeline.Post(built);
    }
}
