// Who owns a named ETW session. A real-time session outlives the process that started it: after a crash, the
// service's restart found its own session still there and refused it (SessionBusy) at every attempt, for ever. The
// collector that runs a session holds an OS file lock named after it for as long as it runs; the OS drops the lock
// when the process dies, however it dies. So a session of our exact name whose lock nobody holds was left behind by
// a crash and is ours to take over, and one whose lock is held belongs to a live collect (or the service) and is
// never touched. Sessions of other names (other products') are never looked at.
namespace MonitorNetwork.Collector.Sources;

/// <summary>The cross-process ownership lock of a named ETW session.</summary>
public static class SessionOwnerLock
{
    /// <summary>Where the locks live: ProgramData (every account's collect sees it) on Windows, the temp folder elsewhere.</summary>
    public static string DefaultDirectory => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "MonitorNetwork")
        : Path.Combine(Path.GetTempPath(), "monitornetwork-etw");

    /// <summary>The lock of <paramref name="sessionName"/>, held until disposed; null when a live process holds it.</summary>
    public static IDisposable? TryAcquire(string sessionName, string? directory = null)
    {
        directory ??= DefaultDirectory;
        Directory.CreateDirectory(directory);
        var safe = new string(sessionName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        var path = Path.Combine(directory, $"etw-session-{safe}.lock");
        try
        {
            // Read access is enough to hold it (FileShare.None; flock on Unix), and is all a member of Performance
            // Log Users has on a lock file the service (LocalSystem) created in ProgramData.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new Failures.MonitorNetworkException(Failures.FailureKind.AccessDenied, $"cannot open the session lock {path}: access denied", ex);
        }
        catch (IOException)
        {
            return null; // another process holds it: its session is live
        }
    }
}
