// Export under the service's memory: a flows-only store of N flows (a quarter still open) exported by the real CLI in
// a child process with the service's 64 MiB GC heap limit (DOTNET_GCHeapHardLimit, as `service install` sets it).
// Prints, per N, whether it finished, its peak RSS (VmHWM, polled) and its rate. A backlog that does not fit the heap
// kills the child with an OutOfMemoryException: the export then never catches up, which is what this rules out.
using System.Diagnostics;
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Benchmark;

internal static class ExportMemoryBenchmark
{
    public static async Task<int> RunAsync(string dir, int[] flowCounts)
    {
        var failed = 0;
        foreach (var n in flowCounts)
        {
            var db = Path.Combine(dir, $"flows-{n}.db");
            var build = Stopwatch.StartNew();
            Fill(db, n);
            Console.WriteLine($"{n:N0} flows: store built in {build.Elapsed.TotalSeconds:F1} s ({new FileInfo(db).Length / 1048576.0:F0} MiB)");
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "monitornetwork.dll"), "export", "--db", db, "--out", Path.Combine(dir, $"lake-{n}"), "--host", "bench"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["DOTNET_GCHeapHardLimit"] = "0x4000000"; // 64 MiB, the service's limit
            var clock = Stopwatch.StartNew();
            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEndAsync();
            var error = child.StandardError.ReadToEndAsync();
            long peakKiB = 0;
            while (!child.HasExited)
            {
                peakKiB = Math.Max(peakKiB, PeakKiB(child.Id));
                await Task.Delay(50).ConfigureAwait(false);
            }
            await child.WaitForExitAsync().ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{n:N0} flows: export exit {child.ExitCode} in {seconds:F1} s ({n / seconds:N0} flows/s), peak RSS {peakKiB / 1024.0:F0} MiB under a 64 MiB GC heap limit");
            Console.WriteLine("  " + (await output.ConfigureAwait(false)).Trim() + (await error.ConfigureAwait(false)).Trim());
            if (child.ExitCode != 0) failed++;
        }
        return failed == 0 ? 0 : 1;
    }

    private static long PeakKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // it exited between the check and the read
        }
    }

    /// <summary>N flows over a day: FlowEstablished, a FlowStats, and FlowDeleted for three in four.</summary>
    private static void Fill(string db, int n)
    {
        var startUs = MonitorNetwork.Collector.Events.UnixMicros.From(DateTime.UtcNow.AddDays(-1));
        var step = 86_400_000_000L / Math.Max(1, n);
        var local = NetAddress.FromIPAddress(IPAddress.Parse("10.20.30.40"));
        IEnumerable<MonitorEvent> Events()
        {
            for (var i = 0; i < n; i++)
            {
                var t = startUs + i * step;
                var remote = NetAddress.FromIPAddress(new IPAddress([(byte)(20 + i % 200), (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
                var id = new FlowIdentity((uint)(400 + i % 300), FlowDirection.Outbound, 6, local, (ushort)(49152 + i % 16000), remote, 443);
                var flowId = 0x1_0000_0000UL + (ulong)i;
                yield return new FlowEstablishedEvent(t, flowId, id.ProcessId, id.Direction, 6, local, id.LocalPort, remote, 443, $@"C:\Program Files\app{i % 300}\app.exe");
                yield return new FlowStatsEvent(t + step / 3, flowId, id, 10, 12_000, 8, 900);
                if (i % 4 != 0) yield return new FlowDeletedEvent(t + step / 2, flowId, 12, 15_000, 9, 1_000) { Identity = id };
            }
        }
        using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(5));
        var session = SessionStore.Begin(c, "benchmark", "export-memory", DateTimeOffset.UtcNow);
        using (var writer = new SqliteEventWriter(c, session))
            foreach (var batch in Events().Chunk(20_000)) writer.WriteBatch(batch, default);
        SessionStore.Finish(c, session, MonitorNetwork.Collector.Events.SessionStatus.Completed, default, DateTimeOffset.UtcNow);
    }
}
