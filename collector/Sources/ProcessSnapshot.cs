// The processes already running when a live session starts, so flows of programs started before collection still
// get a name: the "rundown". Best effort: protected processes hide their start time or image from us. Command lines
// come from WMI on Windows (one query for all processes) and /proc on Linux.
using System.ComponentModel;
using System.Diagnostics;
using System.Management;
using System.Runtime.Versioning;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Takes a snapshot of running processes as <see cref="ProcessStartedEvent"/>s.</summary>
public static class ProcessSnapshot
{
    /// <summary>One event per process whose start time can be read; the image path when it can be read too.</summary>
    public static List<ProcessStartedEvent> Take(long nowUs)
    {
        var commandLines = OperatingSystem.IsWindows() ? WindowsCommandLines() : new Dictionary<int, string>();
        var events = new List<ProcessStartedEvent>();
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                try
                {
                    var startUs = Events.UnixMicros.From(process.StartTime);
                    string? image = null;
                    try
                    {
                        image = process.MainModule?.FileName;
                    }
                    catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or NotSupportedException)
                    {
                        // protected or gone: keep the start time
                    }
                    var commandLine = commandLines.GetValueOrDefault(process.Id) ?? ProcCommandLine(process.Id);
                    events.Add(new ProcessStartedEvent(nowUs, (uint)process.Id, startUs, image, commandLine));
                }
                catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or NotSupportedException)
                {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        return events;
    }

    /// <summary>Linux: /proc/PID/cmdline, arguments separated by NUL; null elsewhere or when unreadable.</summary>
    private static string? ProcCommandLine(int pid)
    {
        try
        {
            var path = $"/proc/{pid}/cmdline";
            if (!File.Exists(path)) return null;
            var line = File.ReadAllText(path).TrimEnd('\0').Replace('\0', ' ');
            return line.Length == 0 ? null : line;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Windows: every process's command line in one WMI query (Win32_Process); empty when WMI refuses.</summary>
    [SupportedOSPlatform("windows")]
    private static Dictionary<int, string> WindowsCommandLines()
    {
        var lines = new Dictionary<int, string>();
        try
        {
            using var searcher = new ManagementObjectSearcher("SELECT ProcessId, CommandLine FROM Win32_Process");
            foreach (var item in searcher.Get())
            {
                using (item)
                {
                    if (item["CommandLine"] is string line && item["ProcessId"] is uint pid) lines[(int)pid] = line;
                }
            }
        }
        catch (ManagementException)
        {
            // WMI unavailable: images and start times still come from the snapshot
        }
        return lines;
    }
}
