// The live path as Windows runs it, below the router: the fake session's callback thread hands raw Kernel-Network
// events to EventRouter.Route (the decoder, then the flow-record builder) while the source's rundown posts the
// processes already running from a pool thread, at the same time. The builder and its list of built records were
// written from both threads at once, and collection died with "Collection was modified" (23 of 40 runs in the
// review, and here on the old router; see README). Each round must complete, with every flow stored and no event
// lost. MONITORNETWORK_RACE_ROUNDS raises the rounds for a long measurement (200 were run for the note).
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;
using static MonitorNetwork.Collector.Tests.TestSupport.KernelNetworkViews;

namespace MonitorNetwork.Collector.Tests;

public class LiveRouterRaceTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private const int Flows = 300, PacketsPerFlow = 20, RunningProcesses = 4000;

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("MONITORNETWORK_RACE_ROUNDS"), out var n) && n > 0 ? n : 12;

    [Fact]
    public async Task KernelSource_CallbacksAndRundownAtOnce_EveryRoundCompletesWithEveryFlow()
    {
        var failures = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var failure = await OneRoundAsync(round);
            if (failure is not null) failures.Add($"round {round}: {failure}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Rounds} rounds failed:\n" + string.Join("\n", failures));
    }

    private static async Task<string?> OneRoundAsync(int round)
    {
        using var dir = new TempDirectory();
        var db = dir.File("live.db");
        var sessions = new FakeEtwSessions();
        var local = V4("10.0.0.5");
        var t = T0;
        for (var f = 0; f < Flows; f++)
        {
            var remote = V4($"198.51.{f / 250}.{f % 250 + 1}");
            var port = (ushort)(40000 + f);
            sessions.ViewsToDeliver.Add(Event(12, 900 + f % 7, 0, remote, local, 443, port, t += 100));
            for (var k = 0; k < PacketsPerFlow; k++)
                sessions.ViewsToDeliver.Add(Event(k % 2 == 0 ? 10 : 11, 900 + f % 7, 100 + k, remote, local, 443, port, t += 100));
            sessions.ViewsToDeliver.Add(Event(13, 900 + f % 7, 0, remote, local, 443, port, t += 100));
        }
        var rundownDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IEnumerable<ProcessStartedEvent> Snapshot(long nowUs)
        {
            for (var p = 0; p < RunningProcesses; p++)
            {
                if (p % 64 == 0) Thread.Yield(); // as slow as a WMI walk: interleaves with the callbacks
                yield return new ProcessStartedEvent(T0 + p, (uint)(5000 + p), T0 - 1_000_000, $@"C:\Program Files\app{p}\app.exe", null);
            }
            rundownDone.TrySetResult();
        }
        var source = new EtwRealTimeSource(new EtwSessionOptions("MonitorNetwork", 64), EtwProvider.KernelNetwork(dns: false), sessions, Snapshot, sessions.OwnerLocks);
        using var stop = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)) { PollInterval = TimeSpan.FromMilliseconds(20) }, source, stop.Token);
        string? stalled = null;
        try
        {
            await Task.WhenAll(sessions.Delivered.Task, rundownDone.Task).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            // The rundown swallows its exceptions (best effort): one that broke mid-walk never finishes it.
            stalled = rundownDone.Task.IsCompleted ? "the callbacks never finished" : "the rundown died mid-walk";
        }
#pragma warning disable CA1031 // The callback thread died; the run reports it below.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        stop.Cancel();
        RunResult result;
        try
        {
            result = await run;
        }
#pragma warning disable CA1031 // A failed round is reported with the others.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
        }
        if (result.Status != Events.SessionStatus.Completed) return $"status {result.Status}";
        if (stalled is not null) return stalled;
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        var ended = c.ExecuteScalar<long>("SELECT count(*) FROM flow WHERE end_ts_us IS NOT NULL");
        var processes = c.ExecuteScalar<long>("SELECT count(*) FROM process");
        if (ended != Flows) return $"{ended} of {Flows} flows stored";
        if (processes < RunningProcesses) return $"{processes} of {RunningProcesses} running processes stored";
        if (result.Counters.Dropped != 0) return $"{result.Counters.Dropped} dropped";
        _ = round;
        return null;
    }
}
