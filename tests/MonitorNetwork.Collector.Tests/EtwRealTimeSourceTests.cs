// Windows only: the real ETW real-time session. On Windows an EventSource also writes to ETW under the same
// name-hash GUID, so the test emitter stands in for the driver there too. Skips itself elsewhere and when the
// process is not elevated (ETW sessions need administrator rights).
using Microsoft.Diagnostics.Tracing.Session;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

/// <summary>Skips the calling test unless this is an elevated process on Windows.</summary>
internal static class ElevatedWindows
{
    [System.Runtime.Versioning.SupportedOSPlatformGuard("windows")]
    public static bool IsAvailable()
    {
        if (!OperatingSystem.IsWindows()) Assert.Skip("ETW real-time sessions exist only on Windows");
        if (TraceEventSession.IsElevated() != true) Assert.Skip("ETW real-time sessions need an elevated process");
        return true;
    }
}

[Collection(EventPipeCollection.Name)]
public class EtwRealTimeSourceTests
{
    [Fact]
    public async Task RealTimeSession_EmitterEvents_StoredExactly()
    {
        if (!ElevatedWindows.IsAvailable()) return;
        using var dir = new TempDirectory();
        var db = dir.File("etw.db");
        var events = TrafficScript.Build(flows: 50, packetsPerFlow: 10);
        var source = new EtwRealTimeSource(new EtwSessionOptions("MonitorNetwork-Test-" + Environment.ProcessId, 64), EtwProvider.Driver(ProviderContract.Keywords.All), new TraceEventEtwSessionFactory());
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)), source, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the session is enabled asynchronously
        foreach (var e in events) TestEmitter.Log.Send(e);
        await Task.Delay(TimeSpan.FromSeconds(4)); // real-time delivery lags 1-3 s
        stop.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.Counters.Lost);
        StoreAssert.MatchesSent(db, events, 0, long.MaxValue);
    }
}

/// <summary>Windows only, elevated: real loopback TCP traffic collected through the Kernel-Network source.</summary>
[Collection(EventPipeCollection.Name)]
public class KernelNetworkRealTimeTests
{
    [Fact]
    public async Task KernelSource_LoopbackConnection_IsStoredWithThisProcess()
    {
        if (!ElevatedWindows.IsAvailable()) return;
        using var dir = new TempDirectory();
        var db = dir.File("kernel-live.db");
        var source = new EtwRealTimeSource(new EtwSessionOptions("MonitorNetwork-Kernel-Test-" + Environment.ProcessId, 64), EtwProvider.KernelNetwork(), new TraceEventEtwSessionFactory());
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)), source, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var accept = listener.AcceptTcpClientAsync();
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            using var server = await accept;
            await client.GetStream().WriteAsync(new byte[4096]);
            var buffer = new byte[4096];
            var read = 0;
            while (read < buffer.Length) read += await server.GetStream().ReadAsync(buffer.AsMemory(read));
        }
        listener.Stop();
        await Task.Delay(TimeSpan.FromSeconds(4)); // real-time delivery lags 1-3 s
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        using var c = StoreAssert.Open(db);
        var flows = Dapper.SqlMapper.Query<(long Pid, long RemotePort, long LocalPort)>(c,
            "SELECT pid, remote_port, local_port FROM flow WHERE remote_port = @port OR local_port = @port", new { port }).ToList();
        Assert.Contains(flows, f => f.Pid == Environment.ProcessId);
        // The Kernel-Network source's default keywords are flow and health: its packets become flow records (their
        // totals on the flow row), not packet rows, so the bytes are read from the flows.
        var sent = Dapper.SqlMapper.ExecuteScalar<long>(c, """
            SELECT coalesce(sum(coalesce(bytes_in, 0) + coalesce(bytes_out, 0)), 0) FROM flow
            WHERE pid = @pid AND (remote_port = @port OR local_port = @port)
            """, new { pid = Environment.ProcessId, port });
        Assert.True(sent >= 4096, $"only {sent} bytes of the 4096 sent were seen");
    }
}
