// IPFIX figures for the README: N ended flows (two directions each) encoded and sent over loopback UDP to a socket
// of this process that counts what arrives; prints records/s, datagrams/s (paced), CPU per 100k flows, and the loss.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Export.Ipfix;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Benchmark;

internal static class IpfixBenchmark
{
    public static async Task<int> RunAsync(string dir, int flows)
    {
        var db = Path.Combine(dir, "ipfix.db");
        var startUs = MonitorNetwork.Collector.Events.UnixMicros.From(DateTime.UtcNow.AddDays(-1));
        var local = NetAddress.FromIPAddress(IPAddress.Parse("10.20.30.40"));
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(5)))
        {
            var session = SessionStore.Begin(c, "benchmark", "ipfix", DateTimeOffset.UtcNow);
            using (var writer = new SqliteEventWriter(c, session))
            {
                foreach (var batch in Enumerable.Range(0, flows).Select(i =>
                {
                    var remote = NetAddress.FromIPAddress(new IPAddress([(byte)(20 + i % 200), (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
                    var id = new FlowIdentity((uint)(400 + i % 300), FlowDirection.Outbound, 6, local, (ushort)(49152 + i % 16000), remote, 443);
                    return (MonitorEvent)new FlowDeletedEvent(startUs + i * 1000L, (ulong)i + 1, 12, 15_000, 9, 1_000) { Identity = id };
                }).Chunk(20_000))
                    writer.WriteBatch(batch, default);
            }
        }
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.Client.ReceiveBufferSize = 16 << 20;
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        long datagrams = 0;
        using var stop = new CancellationTokenSource();
        var receive = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await receiver.ReceiveAsync(stop.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref datagrams);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        IpfixResult result;
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(5)))
            result = await new IpfixExporter(c).ExportAsync(new IpfixOptions("127.0.0.1", port)).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        await Task.Delay(500).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await receive.ConfigureAwait(false);
        var sent = result.DataMessages + result.TemplateMessages;
        Console.WriteLine(result.Summary());
        Console.WriteLine($"ipfix: {result.Records / seconds:N0} records/s, {sent / seconds:N0} datagrams/s (paced at {IpfixExporter.MaxDatagramsPerSecond:N0}/s); " +
                          $"CPU {cpuSeconds:F2} s for {flows:N0} flows = {cpuSeconds * 100_000 / flows:F2} s per 100k flows (encoder, store and sending; the receiver runs in this process too)");
        Console.WriteLine($"ipfix: received {Interlocked.Read(ref datagrams):N0} of {sent:N0} datagrams over loopback");
        return Interlocked.Read(ref datagrams) == sent ? 0 : 1;
    }
}
