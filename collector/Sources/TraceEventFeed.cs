// Where a TraceEvent source meets the router: every event the source dispatches, wrapped as an IEventView. Here, at
// the source edge, so the router knows views and the decoder, not TraceEvent's sources.
using Microsoft.Diagnostics.Tracing;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Feeds a TraceEvent source's events to an <see cref="EventRouter"/>.</summary>
public static class TraceEventFeed
{
    /// <summary>
    /// Subscribes to every event of <paramref name="source"/>: those the dynamic (TDH/EventPipe metadata) parser
    /// decodes, and those no parser could (UnhandledEvents), so that an event of ours TraceEvent cannot parse is
    /// counted as unknown rather than vanishing.
    /// </summary>
    public static void Attach(this EventRouter router, TraceEventSource source)
    {
        var sessionStartUs = long.MinValue; // read from the source at its first event, when it knows its start
        void OnEvent(TraceEvent data)
        {
            if (sessionStartUs == long.MinValue) sessionStartUs = TraceEventView.SessionStartUs(source);
            router.Route(new TraceEventView(data, sessionStartUs));
        }
        source.Dynamic.All += OnEvent;
        if (source is TraceEventDispatcher dispatcher) dispatcher.UnhandledEvents += OnEvent;
    }
}
