// End-to-end `monitornetwork import` of a .nettrace recorded from the emitter, in a child process so its peak RSS
// is the import's alone.
using System.Diagnostics;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Emitter;

namespace MonitorNetwork.Benchmark;

internal static class ImportBenchmark
{
    public static async Task RunAsync(string dir, long packets, int flows)
    {
        var trace = Path.Combine(dir, "import.nettrace");
        var startUs = MonitorNetwork.Collector.Events.UnixMicros.Now();
        var events = SyntheticTraffic.Generate(packets, flows, startUs);
        var clock = Stopwatch.StartNew();
        await NettraceRecorder.RecordAsync(trace, events, bufferMB: 1024);
        Console.WriteLine($"recorded {trace} ({new FileInfo(trace).Length / 1048576.0:F0} MiB) in {clock.Elapsed.TotalSeconds:F1} s");

        var db = Path.Combine(dir, "import.db");
        var child = Process.Start(new ProcessStartInfo("dotnet", [typeof(ImportBenchmark).Assembly.Location, "import-child", trace, db])
        {
            RedirectStandardOutput = true,
        })!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        Console.Write(output);
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT count(*) FROM packet";
        var stored = (long)command.ExecuteScalar()!;
        var size = new[] { db, db + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"bytes on disk per packet event (all tables and indexes, {stored:N0} packets, {size / 1048576.0:F1} MiB): {(double)size / stored:F1}");
    }

    /// <summary>The child: one import through the real CLI, then elapsed time and peak RSS.</summary>
    public static async Task<int> ChildAsync(string trace, string db)
    {
        var clock = Stopwatch.StartNew();
        var output = new StringWriter();
        var code = await CliApp.RunAsync(["import", trace, "--db", db], Console.Error, output);
        var elapsed = clock.Elapsed;
        Console.Write(output);
        long written;
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
        {
            c.Open();
            using var command = c.CreateCommand();
            command.CommandText = "SELECT events_written FROM collector_session ORDER BY session_id DESC LIMIT 1";
            written = (long)command.ExecuteScalar()!;
        }
        Console.WriteLine($"import end to end: {written:N0} events in {elapsed.TotalSeconds:F2} s = {written / elapsed.TotalSeconds:N0} events/s; peak RSS {Machine.PeakRssMiB():F0} MiB; exit {code}");
        return code;
    }
}
