// A UDP socket as Linux's socket table (/proc/net/udp) shows it: whether a port is bound, and how many bytes wait in
// its receive queue. Tests that drive a real collector (nfcapd) wait on this state instead of sleeping: nfcapd says
// nothing when it has bound its socket, or when it has read what was sent.
using System.Globalization;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class UdpSocketState
{
    /// <summary>A bound socket's receive queue, in bytes.</summary>
    public sealed record Socket(long ReceiveQueue);

    /// <summary>The IPv4 socket bound to 127.0.0.1:<paramref name="port"/>, or null.</summary>
    public static Socket? Of(int port)
    {
        var local = $"0100007F:{port:X4}";
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5 || fields[1] != local) continue;
            return new Socket(long.Parse(fields[4].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return null;
    }

    /// <summary>Waits until the socket's state satisfies <paramref name="condition"/>; fails after 30 s naming <paramref name="what"/>.</summary>
    public static async Task UntilAsync(int port, Func<Socket?, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition(Of(port)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited 30 s for " + what);
            await Task.Delay(10); // the next look at the kernel's table; the state, not this delay, ends the wait
        }
    }
}
