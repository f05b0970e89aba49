// Where the database lives by default, and creating its directory so that only its owner
// (administrators and SYSTEM on Windows) can read it: the data reveals who talked to whom.
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace MonitorNetwork.Collector.Store;

/// <summary>Default database location and private directory/file creation.</summary>
public static class StorePaths
{
    /// <summary>The database file name.</summary>
    public const string FileName = "monitornetwork.db";

    /// <summary>
    /// The store used when none is given. On Windows an elevated process (collect, the service running as
    /// LocalSystem) uses %ProgramData%\MonitorNetwork\monitornetwork.db, private to Administrators and SYSTEM; a
    /// process that is not elevated (an import, query or stats by a user) uses its own
    /// %LOCALAPPDATA%\MonitorNetwork\monitornetwork.db, which it can write. Elsewhere:
    /// $XDG_DATA_HOME/monitornetwork/monitornetwork.db (default ~/.local/share).
    /// </summary>
    public static string DefaultDatabasePath() =>
        DefaultDatabasePath(OperatingSystem.IsWindows(), Environment.IsPrivilegedProcess, Environment.GetEnvironmentVariable, Environment.GetFolderPath);

    /// <summary>The rule of <see cref="DefaultDatabasePath()"/>, with the OS, the token and the environment given.</summary>
    internal static string DefaultDatabasePath(bool windows, bool elevated, Func<string, string?> variable, Func<Environment.SpecialFolder, string> folder)
    {
        if (windows)
        {
            var root = folder(elevated ? Environment.SpecialFolder.CommonApplicationData : Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(root, "MonitorNetwork", FileName);
        }
        var dataHome = variable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
            dataHome = Path.Combine(folder(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "monitornetwork", FileName);
    }

    /// <summary>Creates the database's directory if missing, private to its owner. Existing directories are left as they are.</summary>
    public static void EnsurePrivateDirectory(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory)) return;
        if (OperatingSystem.IsWindows()) CreateWindowsDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Creates an empty file that only its owner can read (0600 on Unix; the directory's ACL on Windows).</summary>
    public static void CreatePrivateFile(string path)
    {
        // Through a dangling symlink the store is its target: O_EXCL refuses the link itself, so create the target.
        if (new FileInfo(path).LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target) path = target.FullName;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var created = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // created meanwhile by another process: adopted like any existing file
        }
    }

    /// <summary>
    /// An adopted store (an existing file, a symlink's target) readable or writable by others is made owner-only;
    /// returns its former mode (octal) when it changed, null when it was private already or this is Windows.
    /// </summary>
    public static string? Tighten(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return null;
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & others) == 0) return null;
        try
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new Failures.MonitorNetworkException(Failures.FailureKind.DatabaseUnwritable,
                $"{path} is readable by other users (mode {Convert.ToString((int)mode, 8)}) and this process cannot make it private: chmod 600 it, or choose another --db", ex);
        }
        return "0" + Convert.ToString((int)mode, 8);
    }

    /// <summary>Makes a new database file (and its -wal/-shm companions once they exist) owner-only on Unix.</summary>
    public static void RestrictFile(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [SupportedOSPlatform("windows")]
    private static void CreateWindowsDirectory(string directory)
    {
        // Protected DACL (no inheritance from ProgramData, which grants Users read): Administrators and SYSTEM only.
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        foreach (var sid in new[] { WellKnownSidType.BuiltinAdministratorsSid, WellKnownSidType.LocalSystemSid })
        {
            security.AddAccessRule(new FileSystemAccessRule(new SecurityIdentifier(sid, null), FileSystemRights.FullControl,
                InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit, PropagationFlags.None, AccessControlType.Allow));
        }
        new DirectoryInfo(directory).Create(security);
    }
}
