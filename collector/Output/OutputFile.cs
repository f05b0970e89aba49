// Every file a command writes (report --out, the lake's Parquet files, ...) is written the way git and coreutils do:
// to a temporary file created exclusively (O_EXCL, an unpredictable name) in the target's folder, flushed to disk,
// then renamed over the target. A reader never sees half a file, a failure leaves the old file as it was, another
// user cannot plant a symlink at a predictable temporary name, and a symlink at the target is replaced, never followed.
// The target must not be the store (or its -wal, -shm or -journal), a directory, a device, a FIFO or a socket. Files
// are created 0600 on Unix: they name programs and the remotes they talked to. Failures map to their own exit codes
// (read-only, disk full, path too long, no such folder).
using System.Security.Cryptography;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Output;

/// <summary>Writes output files safely.</summary>
public static class OutputFile
{
    /// <summary>Owner read and write only.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="target"/> through a temporary file and a rename.
    /// <paramref name="option"/> names the target in failures (--out); <paramref name="protectedPaths"/> are files
    /// that must never be replaced (the store).
    /// </summary>
    public static void Write(string target, string option, Action<Stream> content, IEnumerable<string>? protectedPaths = null, UnixFileMode mode = PrivateMode)
    {
        var full = Check(target, option, protectedPaths);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            using (var stream = new FileStream(temporary, options))
            {
                content(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true); // rename(2): replaces a link at the target, never follows it
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw Classify(ex, full, option);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes text (UTF-8, no BOM).</summary>
    public static void WriteText(string target, string option, string text, IEnumerable<string>? protectedPaths = null) =>
        Write(target, option, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write(text);
        }, protectedPaths);

    /// <summary>
    /// The full path of <paramref name="target"/> if it may be written: its folder exists, and it is not a protected
    /// file, a directory, a device, a FIFO or a socket. A symlink is allowed (it is replaced, not followed).
    /// </summary>
    public static string Check(string target, string option, IEnumerable<string>? protectedPaths = null)
    {
        string full;
        try
        {
            full = Path.GetFullPath(target);
        }
        catch (PathTooLongException ex)
        {
            throw new MonitorNetworkException(FailureKind.OutputPathTooLong, $"{option}: the path is too long for this OS", ex);
        }
        var directory = Path.GetDirectoryName(full);
        if (directory is null || FileKinds.Of(directory) is not (FileKind.Directory or FileKind.Symlink) || !Directory.Exists(directory))
            throw new MonitorNetworkException(FailureKind.OutputNoSuchFolder, $"{option}: no such folder: {directory}");
        var kind = FileKinds.Of(full);
        if (kind is not (FileKind.Missing or FileKind.Regular or FileKind.Symlink))
            throw new MonitorNetworkException(FailureKind.NotARegularFile, $"{option}: {full} is {FileKinds.Describe(kind)}; give a file name");
        foreach (var store in protectedPaths ?? [])
        {
            foreach (var file in new[] { store, store + "-wal", store + "-shm", store + "-journal" })
            {
                if (SamePath(full, file))
                    throw new MonitorNetworkException(FailureKind.NotARegularFile, $"{option}: {full} is the store itself; writing there would destroy it");
            }
        }
        return full;
    }

    /// <summary>Whether two paths name the same file: compared after resolving every symlink of both folders.</summary>
    public static bool SamePath(string a, string b)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(Canonical(a), Canonical(b), comparison);
    }

    /// <summary>The full path with the symlinks of its folders resolved (the last part is kept: a link there is ours to replace).</summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (directory is null) return full;
        return Path.Combine(CanonicalDirectory(directory), Path.GetFileName(full));
    }

    private static string CanonicalDirectory(string directory)
    {
        var parent = Path.GetDirectoryName(directory);
        if (parent is null) return directory;
        var resolvedParent = Path.Combine(CanonicalDirectory(parent), Path.GetFileName(directory));
        try
        {
            var target = Directory.ResolveLinkTarget(resolvedParent, returnFinalTarget: true);
            return target is null ? resolvedParent : CanonicalDirectory(Path.TrimEndingDirectorySeparator(target.FullName));
        }
        catch (IOException)
        {
            return resolvedParent;
        }
    }

    /// <summary>The failure of an output file, by what the OS said.</summary>
    public static MonitorNetworkException Classify(Exception ex, string full, string option)
    {
        const int EnoSpc = 28, Edquot = 122, Erofs = 30, WinDiskFull = 112, WinHandleDiskFull = 39;
        var code = ex.HResult & 0xFFFF;
        return ex switch
        {
            PathTooLongException => new MonitorNetworkException(FailureKind.OutputPathTooLong, $"{option}: {full}: the path is too long for this OS", ex),
            DirectoryNotFoundException => new MonitorNetworkException(FailureKind.OutputNoSuchFolder, $"{option}: no such folder: {Path.GetDirectoryName(full)}", ex),
            UnauthorizedAccessException => new MonitorNetworkException(FailureKind.OutputReadOnly, $"{option}: cannot write in {Path.GetDirectoryName(full)}: read-only or access denied", ex),
            IOException when code is EnoSpc or Edquot or WinDiskFull or WinHandleDiskFull =>
                new MonitorNetworkException(FailureKind.OutputDiskFull, $"{option}: the disk is full; {full} was not written (any earlier file there is unchanged)", ex),
            IOException when code is Erofs => new MonitorNetworkException(FailureKind.OutputReadOnly, $"{option}: {Path.GetDirectoryName(full)} is on a read-only filesystem", ex),
            IOException when ex.Message.Contains("name too long", StringComparison.OrdinalIgnoreCase) =>
                new MonitorNetworkException(FailureKind.OutputPathTooLong, $"{option}: {full}: the name is too long for this filesystem", ex),
            _ => new MonitorNetworkException(FailureKind.Unexpected, $"{option}: cannot write {full}: {ex.Message.Split('\n')[0]}", ex),
        };
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
