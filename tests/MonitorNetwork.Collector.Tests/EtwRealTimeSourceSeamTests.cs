// The real-time source's own code on Linux, through the IEtwSession seam: Ctrl+C, loss read before teardown, a
// loss query that throws after stop, a second collect, a provider that fails to enable halfway. The Windows-only
// EtwRealTimeSourceTests run the same source against a real TraceEvent session.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Hosting;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class EtwRealTimeSourceSeamTests
{
    private static EtwRealTimeSource Source(FakeEtwSessions sessions, bool force = false) =>
        new(new EtwSessionOptions("MonitorNetwork", 64, force), EtwProvider.Driver(ProviderContract.Keywords.All), sessions,
            snapshot: now => [new ProcessStartedEvent(now, 4242, now - 1_000_000, @"C:\Windows\explorer.exe", null)], ownerLocks: sessions.OwnerLocks);

    private static (string status, long received, long written, long lost) SessionRow(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        return connection.QuerySingle<(string, long, long, long)>(
            "SELECT status, events_received, events_written, events_lost FROM collector_session");
    }

    [Fact]
    public async Task CtrlC_DrainsCompletesAndRecordsTheLossReadBeforeTeardown()
    {
        using var dir = new TempDirectory();
        var db = dir.File("live.db");
        var sessions = new FakeEtwSessions { LossToReport = 17, BuffersLostToReport = 2 };
        sessions.EventsToDeliver.AddRange(TrafficScript.Build(flows: 20, packetsPerFlow: 5));
        using var ctrlC = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)) { PollInterval = TimeSpan.FromMilliseconds(20) },
            Source(sessions), ctrlC.Token);
        await sessions.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // every event handed over: now Ctrl+C
        ctrlC.Cancel();
        var result = await run;

        Assert.Equal(Events.SessionStatus.Completed, result.Status);
        var (status, received, written, lost) = SessionRow(db);
        Assert.Equal("completed", status);
        Assert.Equal(sessions.EventsToDeliver.Count + 1, received); // + the rundown's process
        Assert.Equal(received, written);
        Assert.Equal(17, lost); // read while the session still answered; the getter throws after Stop
        using (var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
            Assert.Equal(2, c.ExecuteScalar<long>("SELECT buffers_lost FROM collector_session")); // a kind of its own, never added to lost
        var session = Assert.Single(sessions.Created);
        Assert.True(session.IsStopped && session.IsDisposed);
        Assert.Empty(sessions.Running);
    }

    [Fact]
    public async Task LossQueryThrowingAfterStop_NeverFailsTheRun()
    {
        using var dir = new TempDirectory();
        var sessions = new FakeEtwSessions { LossToReport = 3 };
        var source = Source(sessions);
        using var ctrlC = new CancellationTokenSource();
        var run = CollectionRun.ExecuteAsync(new RunSettings(dir.File("l.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)) { PollInterval = TimeSpan.FromMilliseconds(5) },
            source, ctrlC.Token);
        await sessions.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the session runs: now Ctrl+C
        ctrlC.Cancel();
        Assert.Equal(Events.SessionStatus.Completed, (await run).Status);
        Assert.Throws<InvalidOperationException>(() => sessions.Created[0].QueryLost()); // the fake is as strict as TraceEvent
        Assert.Equal(3, source.EventsLost); // and the source still answers, with the last loss it read
        Assert.Equal(0, source.BuffersLost);
    }

    [Fact]
    public async Task SecondCollect_ExitsSessionBusy_AndLeavesTheFirstRunning()
    {
        var sessions = new FakeEtwSessions();
        sessions.Running.Add("MonitorNetwork"); // the service's session, and the service alive, holding its lock
        using var service = SessionOwnerLock.TryAcquire("MonitorNetwork", sessions.OwnerLocks);
        Assert.NotNull(service.Held);
        using var dir = new TempDirectory();
        var ex = await Assert.ThrowsAsync<MonitorNetworkException>(() =>
            CollectionRun.ExecuteAsync(new RunSettings(dir.File("s.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), CancellationToken.None));
        Assert.Equal(FailureKind.SessionBusy, ex.Kind);
        Assert.Equal(12, (int)Cli.Failure.ToExitCode(ex.Kind));
        Assert.Contains("another collect is running (session MonitorNetwork)", ex.Message);
        Assert.Empty(sessions.Created);
        Assert.Contains("MonitorNetwork", sessions.Running);
    }

    [Fact]
    public async Task Crash_ThenRestart_TakesOverItsOwnStaleSession_NeverAnotherProducts()
    {
        if (!File.Exists("/usr/bin/flock")) Assert.Skip("needs flock(1) (util-linux) to hold the lock from another process");
        var sessions = new FakeEtwSessions();
        Directory.CreateDirectory(sessions.OwnerLocks);
        sessions.Running.Add("MonitorNetwork");    // the service's session...
        sessions.Running.Add("SomeOtherProduct");  // ...and another product's
        // The service, alive: another process holds the session's lock.
        using var service = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/flock",
            ["-x", Path.Combine(sessions.OwnerLocks, "etw-session-MonitorNetwork.lock"), "-c", "echo held; exec sleep 60"]) { RedirectStandardOutput = true })!;
        using var dir = new TempDirectory();
        // flock says when it holds the lock (it runs the command only then).
        Assert.Equal("held", await service.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var busy = await Assert.ThrowsAsync<MonitorNetworkException>(() =>
            CollectionRun.ExecuteAsync(new RunSettings(dir.File("busy.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), CancellationToken.None));
        Assert.Equal(FailureKind.SessionBusy, busy.Kind);

        service.Kill(entireProcessTree: true); // SIGKILL: the service crashes (with its child holding the fd), the OS drops its lock
        await service.WaitForExitAsync();
        Assert.Contains("MonitorNetwork", sessions.Running);
        var restarted = Source(sessions); // the recovery policy starts it again
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var result = await CollectionRun.ExecuteAsync(new RunSettings(dir.File("r.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), restarted, ctrlC.Token);
        Assert.Equal(Events.SessionStatus.Completed, result.Status);
        Assert.True(restarted.TookOverStaleSession);
        using (var c = new SqliteConnection($"Data Source={dir.File("r.db")};Mode=ReadOnly;Pooling=False"))
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM health_event WHERE event_name = 'StaleSessionReplaced'"));
        Assert.Single(sessions.Created);
        Assert.Contains("SomeOtherProduct", sessions.Running); // never touched
    }

    [Fact]
    public async Task DriverInstalledButNotRunning_AutoFallsBackLoudly_StatsAndServiceStatusSaySo()
    {
        using var dir = new TempDirectory();
        var db = dir.File("d.db");
        var provider = EtwProvider.Choose("auto", ProviderContract.Keywords.Flow, driverRunning: () => false, dns: false, driverInstalled: () => true);
        Assert.Equal("etw-kernel", provider.Kind);
        Assert.True(provider.DriverExpectedButMissing);
        Assert.False(EtwProvider.Choose("auto", ProviderContract.Keywords.Flow, () => false, false, () => false).DriverExpectedButMissing); // never installed: quiet
        var sessions = new FakeEtwSessions();
        var source = new EtwRealTimeSource(new EtwSessionOptions("MonitorNetwork", 64), provider, sessions, _ => [], sessions.OwnerLocks);
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.Equal(Events.SessionStatus.Completed, (await CollectionRun.ExecuteAsync(new RunSettings(db, new PipelineOptions(), TimeSpan.FromSeconds(1)), source, ctrlC.Token)).Status);

        using (var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM health_event WHERE event_name = 'DriverMissing'"));
        var stats = await CliRun.RunAsync("stats", "--db", db);
        Assert.Contains("the driver is installed but was not running in the last session", stats.Out, StringComparison.Ordinal);
        var status = new StringWriter();
        Cli.ServiceCommand.WriteStatus(null, db, status);
        Assert.Contains("driver: the driver is installed but was not running", status.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_ReplacesAStaleSession()
    {
        var sessions = new FakeEtwSessions();
        sessions.Running.Add("MonitorNetwork"); // left behind by a crashed run
        using var dir = new TempDirectory();
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var result = await CollectionRun.ExecuteAsync(new RunSettings(dir.File("f.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions, force: true), ctrlC.Token);
        Assert.Equal(Events.SessionStatus.Completed, result.Status);
        Assert.Single(sessions.Created);
    }

    [Fact]
    public async Task EnableProviderFailingHalfway_DisposesTheSession()
    {
        var sessions = new FakeEtwSessions { FailEnableAt = 2 }; // the driver's provider enables, Kernel-Process fails
        using var dir = new TempDirectory();
        var ex = await Assert.ThrowsAsync<MonitorNetworkException>(() =>
            CollectionRun.ExecuteAsync(new RunSettings(dir.File("e.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), CancellationToken.None));
        Assert.Equal(FailureKind.Unexpected, ex.Kind);
        Assert.StartsWith("starting the ETW session failed (0x80070057): ", ex.Message, StringComparison.Ordinal);
        var session = Assert.Single(sessions.Created);
        Assert.Single(session.Enabled);
        Assert.True(session.IsDisposed);
        Assert.Empty(sessions.Running);
        Assert.Equal("failed", SessionRow(dir.File("e.db")).status);
    }

    [Theory]
    [InlineData(1, 5, FailureKind.AccessDenied, "access denied starting the ETW session")]        // ERROR_ACCESS_DENIED
    [InlineData(1, 183, FailureKind.SessionBusy, "another collect started session MonitorNetwork")] // ERROR_ALREADY_EXISTS: lost a race
    [InlineData(1, 1450, FailureKind.EtwNoResources, "Windows has no room for another ETW session")] // ERROR_NO_SYSTEM_RESOURCES
    [InlineData(2, 1450, FailureKind.EtwNoResources, "Windows has no room")]                      // on a later provider: still disposed
    [InlineData(1, 24, FailureKind.Usage, "session name too long")]                              // ERROR_BAD_LENGTH
    public async Task WindowsRefusesTheSession_TheRealErrorBecomesOneLineAndItsExitCode_NothingLeftRunning(int at, int win32, FailureKind kind, string message)
    {
        var sessions = new FakeEtwSessions { FailEnableAt = at, EnableError = win32 };
        using var dir = new TempDirectory();
        var ex = await Assert.ThrowsAsync<MonitorNetworkException>(() =>
            CollectionRun.ExecuteAsync(new RunSettings(dir.File("w.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), CancellationToken.None));
        Assert.Equal(kind, ex.Kind);
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.True(Assert.Single(sessions.Created).IsDisposed);
        Assert.Empty(sessions.Running);
        Assert.Equal("failed", SessionRow(dir.File("w.db")).status);
    }

    [Fact]
    public async Task AStandardUser_IsRefusedByWindows_OneLineAccessDenied_NoSessionLeftBehind()
    {
        var sessions = new FakeEtwSessions { Account = FakeAccount.Standard };
        using var dir = new TempDirectory();
        var ex = await Assert.ThrowsAsync<MonitorNetworkException>(() =>
            CollectionRun.ExecuteAsync(new RunSettings(dir.File("a.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), CancellationToken.None));
        Assert.Equal(FailureKind.AccessDenied, ex.Kind);
        Assert.Equal(EtwRealTimeSource.AccessDeniedMessage, ex.Message);
        Assert.Contains("Performance Log Users", ex.Message);
        Assert.True(Assert.Single(sessions.Created).IsDisposed);
        Assert.Empty(sessions.Running);
    }

    [Fact]
    public async Task AMemberOfPerformanceLogUsers_NotElevated_Collects()
    {
        // Windows lets Performance Log Users start sessions; our own elevation check used to refuse them.
        var sessions = new FakeEtwSessions { Account = FakeAccount.PerformanceLogUser };
        sessions.EventsToDeliver.AddRange(TrafficScript.Build(flows: 3, packetsPerFlow: 2));
        using var dir = new TempDirectory();
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var result = await CollectionRun.ExecuteAsync(new RunSettings(dir.File("p.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), ctrlC.Token);
        Assert.Equal(Events.SessionStatus.Completed, result.Status);
        Assert.Equal(sessions.EventsToDeliver.Count + 1, (int)SessionRow(dir.File("p.db")).written); // + the rundown's process
    }

    [Fact]
    public void TheSessionLock_IsHeldWithReadAccessOnly_AndItsFolderIsPrivate()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("file modes are Unix; the Windows ACL case is checklist step S9");
            return;
        }
        using var dir = new TempDirectory();
        var locks = dir.File("locks");
        using (var first = SessionOwnerLock.TryAcquire("MonitorNetwork", locks)) Assert.NotNull(first.Held);
        // Created private by whoever comes first: on Windows it is the store's folder, which must never be readable by Users.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(locks));
        var file = Path.Combine(locks, "etw-session-MonitorNetwork.lock");
        File.SetUnixFileMode(file, UnixFileMode.UserRead);
        using (var held = SessionOwnerLock.TryAcquire("MonitorNetwork", locks))
        {
            Assert.NotNull(held.Held); // read access is enough to hold it
            using var second = SessionOwnerLock.TryAcquire("MonitorNetwork", locks);
            Assert.True(second.Busy); // and it still excludes a second holder
        }
    }

    [Fact]
    public async Task AnAccountThatCannotOpenTheLock_RefusesARunningSession_ButCollectsWhenThereIsNone()
    {
        // A member of Performance Log Users cannot open the admin-only lock folder, so cannot tell a live service's
        // session from a crashed run's: it must never replace it (TraceEvent's restart would end the service's).
        // (A directory where the lock file goes: root, as CI runs, is refused it where it is never refused a mode.)
        var sessions = new FakeEtwSessions { Account = FakeAccount.PerformanceLogUser };
        Directory.CreateDirectory(Path.Combine(sessions.OwnerLocks, "etw-session-MonitorNetwork.lock"));
        using (var probe = SessionOwnerLock.TryAcquire("MonitorNetwork", sessions.OwnerLocks)) Assert.True(probe.Unknowable);
        sessions.Running.Add("MonitorNetwork");
        using var dir = new TempDirectory();
        var busy = await Assert.ThrowsAsync<MonitorNetworkException>(() =>
            CollectionRun.ExecuteAsync(new RunSettings(dir.File("u.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), CancellationToken.None));
        Assert.Equal(FailureKind.SessionBusy, busy.Kind);
        Assert.Contains("only an administrator can tell", busy.Message);
        Assert.Empty(sessions.Created);

        sessions.Running.Clear(); // no session of the name: nothing to replace, so it may start its own
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.Equal(Events.SessionStatus.Completed, (await CollectionRun.ExecuteAsync(new RunSettings(dir.File("v.db"), new PipelineOptions(), TimeSpan.FromSeconds(1)), Source(sessions), ctrlC.Token)).Status);
    }

    [Fact]
    public async Task Collect_ThroughTheHostWithTheFakeSession_EndsCompletedAndExitsZero()
    {
        using var dir = new TempDirectory();
        var db = dir.File("host.db");
        var sessions = new FakeEtwSessions { LossToReport = 5 };
        sessions.EventsToDeliver.AddRange(TrafficScript.Build(flows: 5, packetsPerFlow: 3));
        var exit = await Cli.CollectCommand.RunHostAsync(
            new Dictionary<string, string?> { ["Collector:DatabasePath"] = db, ["Collector:Duration"] = "1s", ["Logging:LogLevel:Default"] = "Warning" },
            (o, keywords) => new EtwRealTimeSource(new EtwSessionOptions(o.SessionName, o.BufferSizeMB, o.Force),
                EtwProvider.Driver(keywords), sessions, snapshot: _ => [], ownerLocks: sessions.OwnerLocks));
        Assert.Equal(0, exit);
        var (status, received, written, lost) = SessionRow(db);
        Assert.Equal(("completed", sessions.EventsToDeliver.Count, sessions.EventsToDeliver.Count, 5L), (status, (int)received, (int)written, lost));
    }
}
