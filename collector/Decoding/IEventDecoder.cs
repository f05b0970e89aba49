// The seam between a trace source's raw events and our records: the driver's contract decoder, or a mapping of a
// built-in Windows provider, behind one interface so the router and the pipeline do not care which.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Turns raw events into MonitorNetwork records. One instance per source thread.</summary>
public interface IEventDecoder
{
    /// <summary>Decodes one event; never throws.</summary>
    DecodeOutcome Decode<TView>(in TView view, out MonitorEvent? decoded) where TView : IEventView;
}
