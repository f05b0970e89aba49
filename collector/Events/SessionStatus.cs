// How a collector session (a live collection, an import) ended, as its row in collector_session records it. The words
// are the schema's (0001, 0007) and what queries and the lake show; this is the one list of them.
namespace MonitorNetwork.Collector.Events;

/// <summary>A session's status.</summary>
public enum SessionStatus
{
    /// <summary>Still running, or a run that crashed (nothing closed its row).</summary>
    Running,

    /// <summary>A live source stopped normally, or a file read to its end.</summary>
    Completed,

    /// <summary>A file import stopped early (Ctrl+C): what was read is committed.</summary>
    Interrupted,

    /// <summary>The source failed; what was received is committed.</summary>
    Failed,

    /// <summary>A damaged recording, salvaged up to its last complete block.</summary>
    Truncated,

    /// <summary>An import that `import --replace` replaced: its rows are gone, its row stays.</summary>
    Replaced,
}

/// <summary>The stored words of <see cref="SessionStatus"/>.</summary>
public static class SessionStatusText
{
    /// <summary>The word stored in collector_session.status.</summary>
    public static string Text(this SessionStatus status) => status switch
    {
        SessionStatus.Running => "running",
        SessionStatus.Completed => "completed",
        SessionStatus.Interrupted => "interrupted",
        SessionStatus.Failed => "failed",
        SessionStatus.Truncated => "truncated",
        SessionStatus.Replaced => "replaced",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
