// One export per store and per lake at a time. Two at once (the service's --export-every and a manual export, say)
// read the same watermarks and wrote every row twice, and each deleted the other's temporary files as leftovers. The
// locks are OS file locks (FileShare.None: flock on Unix, a sharing lock on Windows) on a file beside the store and a
// file in the lake, held for the whole run and released by the OS if the process dies, so a kill -9 never leaves a
// stale lock behind.
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Export;

/// <summary>The locks of one export run.</summary>
public sealed class ExportLock : IDisposable
{
    /// <summary>The lock file in a lake's root.</summary>
    public const string LakeLockName = ".monitornetwork-export.lock";

    private readonly List<FileStream> _held = [];

    private ExportLock() { }

    /// <summary>
    /// Takes the store's and the lake's locks, waiting up to <paramref name="wait"/> for an export that holds either;
    /// then fails in one line.
    /// </summary>
    public static ExportLock Acquire(string storePath, string lakeDirectory, TimeSpan wait)
    {
        var locks = new ExportLock();
        try
        {
            locks._held.Add(Take(Path.GetFullPath(storePath) + ".export-lock", "this store", wait));
            locks._held.Add(Take(Path.Combine(lakeDirectory, LakeLockName), "this lake", wait));
            return locks;
        }
        catch
        {
            locks.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the lock of exporting <paramref name="storePath"/> to one IPFIX destination (a file beside the store
    /// named by a hash of the destination), waiting up to <paramref name="wait"/>.
    /// </summary>
    public static ExportLock AcquireIpfix(string storePath, string destination, TimeSpan wait)
    {
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(destination)))[..12].ToLowerInvariant();
        var locks = new ExportLock();
        locks._held.Add(Take(Path.GetFullPath(storePath) + ".ipfix-" + hash + ".lock", $"this store to {destination}", wait));
        return locks;
    }

    private static FileStream Take(string path, string what, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Output.OutputFile.PrivateMode;
                return new FileStream(path, options);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100); // the other export's end is the only event there is to wait for
            }
            catch (IOException ex)
            {
                throw new MonitorNetworkException(FailureKind.ExportBusy,
                    $"another export of {what} is running (lock {path}); it was waited for {wait.TotalSeconds:0} s: try again when it has finished", ex);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var stream in _held) stream.Dispose();
        _held.Clear();
    }
}
