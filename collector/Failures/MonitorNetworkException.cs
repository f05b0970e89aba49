// The one exception type that carries a user-facing, one-line message and the kind that picks the exit code.
namespace MonitorNetwork.Collector.Failures;

/// <summary>A failure whose message is fit to print as the single line a user sees.</summary>
public sealed class MonitorNetworkException(FailureKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>What kind of failure this is.</summary>
    public FailureKind Kind { get; } = kind;

    /// <summary>The status the run's session row records for this failure (Failed unless said, e.g. Truncated).</summary>
    public Events.SessionStatus SessionStatus { get; init; } = Events.SessionStatus.Failed;
}
