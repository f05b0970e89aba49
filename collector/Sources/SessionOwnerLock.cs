// Who owns a named ETW session. A real-time session outlives the process that started it: after a crash, the
// service's restart found its own session still there and refused it (SessionBusy) at every attempt, for ever. The
// collector that runs a session holds an OS file lock named after it for as long as it runs; the OS drops the lock
// when the process dies, however it dies. So a session of our exact name whose lock nobody holds was left behind by
// a crash and is ours to take over, and one whose lock is held belongs to a live collect (or the service) and is
// never touched. Sessions of other names (other products') are never looked at.
namespace MonitorNetwork.Collector.Sources;

/// <summary>What trying to take a session's lock found.</summary>
/// <param name="Held">The lock, held until disposed; null when it was not taken.</param>
/// <param name="Busy">A live process holds it: its session is live.</param>
public sealed record SessionLock(IDisposable? Held, bool Busy) : IDisposable
{
    /// <summary>This account may not open the lock (it lives in the admin-only folder), so cannot tell who owns the session.</summary>
    public bool Unknowable => Held is null && !Busy;

    /// <inheritdoc/>
    public void Dispose() => Held?.Dispose();
}

/// <summary>The cross-process ownership lock of a named ETW session.</summary>
public static class SessionOwnerLock
{
    /// <summary>
    /// Where the locks live: the store's own admin-only folder in ProgramData on Windows (created admin-only by
    /// whoever comes first: a lock folder that any user may write would let any user hold the service's lock and stop
    /// it collecting, and, created first with ProgramData's inherited ACL, would have made the store beside it
    /// readable by Users); the temp folder elsewhere.
    /// </summary>
    public static string DefaultDirectory => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "MonitorNetwork")
        : Path.Combine(Path.GetTempPath(), "monitornetwork-etw");

    /// <summary>Tries to take the lock of <paramref name="sessionName"/> in <paramref name="directory"/>.</summary>
    public static SessionLock TryAcquire(string sessionName, string? directory = null)
    {
        directory ??= DefaultDirectory;
        var path = Path.Combine(directory, $"etw-session-{Output.FileNamePart.Safe(sessionName)}.lock");
        try
        {
            Store.StorePaths.EnsurePrivateDirectory(path);
            return new(new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None), Busy: false);
        }
        catch (UnauthorizedAccessException)
        {
            return new(null, Busy: false); // not an administrator (a member of Performance Log Users): cannot tell
        }
        catch (IOException) when (File.Exists(path))
        {
            return new(null, Busy: true); // another process holds it: its session is live
        }
    }
}
