// What the decoder made of one raw event; the pipeline counts each outcome.
namespace MonitorNetwork.Collector.Decoding;

/// <summary>Result of decoding one raw event.</summary>
public enum DecodeOutcome
{
    /// <summary>A contract event, decoded.</summary>
    Decoded,
    /// <summary>Another provider's event; not ours to count.</summary>
    OtherProvider,
    /// <summary>Our provider, but a name the contract does not have (or an EventSource manifest/meta event).</summary>
    Unknown,
    /// <summary>A contract event whose fields are missing, of the wrong type or out of range.</summary>
    Malformed,
    /// <summary>An event of the source's provider that carries nothing we store (a retransmit, say); not counted.</summary>
    Ignored,
}
