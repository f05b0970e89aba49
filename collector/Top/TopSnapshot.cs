// One refresh of the live view: who moved the most bytes in the newest minute or so of the store.
namespace MonitorNetwork.Collector.Top;

/// <summary>A process's or remote's traffic in the window.</summary>
/// <param name="Label">Program path, or remote address with its host name.</param>
/// <param name="Pid">The process id, for process rows.</param>
/// <param name="BytesIn">Payload bytes received.</param>
/// <param name="BytesOut">Payload bytes sent.</param>
/// <param name="Packets">Packets either way.</param>
/// <param name="Flows">Flows that moved bytes in the window.</param>
public sealed record TopRow(string Label, long? Pid, long BytesIn, long BytesOut, long Packets, long Flows = 0);

/// <summary>The busiest processes and remotes over a window.</summary>
/// <param name="WindowStartUs">Window start, UTC microseconds.</param>
/// <param name="WindowEndUs">The newest packet in the store.</param>
/// <param name="Processes">Processes, unsorted.</param>
/// <param name="Remotes">Remotes, unsorted.</param>
public sealed record TopSnapshot(long WindowStartUs, long WindowEndUs, IReadOnlyList<TopRow> Processes, IReadOnlyList<TopRow> Remotes)
{
    /// <summary>The window's length in seconds, at least one, the divisor of every rate.</summary>
    public double Seconds => Math.Max(1, (WindowEndUs - WindowStartUs) / 1e6);

    /// <summary>An empty store's snapshot.</summary>
    public static TopSnapshot Empty { get; } = new(0, 0, [], []);
}
