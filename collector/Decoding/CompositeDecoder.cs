// One decoder for a session that enables several providers: each event goes to the decoder of its provider.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

/// <summary>Tries each decoder in turn; the first that claims the event's provider decides.</summary>
public sealed class CompositeDecoder(params IEventDecoder[] decoders) : IEventDecoder
{
    /// <inheritdoc/>
    public DecodeOutcome Decode<TView>(in TView view, out MonitorEvent? decoded) where TView : IEventView
    {
        foreach (var decoder in decoders)
        {
            var outcome = decoder.Decode(view, out decoded);
            if (outcome != DecodeOutcome.OtherProvider) return outcome;
        }
        decoded = null;
        return DecodeOutcome.OtherProvider;
    }
}
