// The processes already running when a live session starts, so flows of programs started before collection still
// get a name: the "rundown". Best effort: protected processes hide their start time or image from us.
using System.ComponentModel;
using System.Diagnostics;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Takes a snapshot of running processes as <see cref="ProcessStartedEvent"/>s.</summary>
public static class ProcessSnapshot
{
    /// <summary>One event per process whose start time can be read; the image path when it can be read too.</summary>
    public static List<ProcessStartedEvent> Take(long nowUs)
    {
        var events = new List<ProcessStartedEvent>();
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                try
                {
                    var startUs = (process.StartTime.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
                    string? image = null;
                    try
                    {
                        image = process.MainModule?.FileName;
                    }
                    catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or NotSupportedException)
                    {
                        // protected or gone: keep the start time
                    }
                    events.Add(new ProcessStartedEvent(nowUs, (uint)process.Id, startUs, image, null));
                }
                catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or NotSupportedException)
                {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        return events;
    }
}
