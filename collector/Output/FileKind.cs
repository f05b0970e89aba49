// What a path names, without following a symlink at its end and without opening it: opening a FIFO blocks until a
// writer comes, and opening a device can have effects. .NET reports file types only as attributes (directory, link),
// so on Linux this asks statx(2), whose struct has one layout on every architecture.
using System.Runtime.InteropServices;

namespace MonitorNetwork.Collector.Output;

/// <summary>The kind of filesystem object a path names.</summary>
public enum FileKind
{
    /// <summary>Nothing is there.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (not followed).</summary>
    Symlink,
    /// <summary>A character device (/dev/null, a terminal).</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A named pipe.</summary>
    Fifo,
    /// <summary>A Unix-domain socket.</summary>
    Socket,
}

/// <summary>Finds the <see cref="FileKind"/> of a path.</summary>
public static partial class FileKinds
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1, StatxSize = 256, ModeOffset = 28;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, Span<byte> buffer);

    /// <summary>The kind of <paramref name="path"/>; a symlink at its end is reported as such, not followed.</summary>
    public static FileKind Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[StatxSize];
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0) return FileKind.Missing;
            var mode = BitConverter.ToUInt16(buffer[ModeOffset..]) & 0xF000; // S_IFMT
            return mode switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.Symlink,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0x1000 => FileKind.Fifo,
                0xC000 => FileKind.Socket,
                _ => FileKind.CharacterDevice, // unknown: treat as something never to write
            };
        }
        // Windows and macOS: attributes say directory and reparse point (link); devices are not paths users give there.
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path)) return info.LinkTarget is not null ? FileKind.Symlink : FileKind.Missing;
        var attributes = File.GetAttributes(path);
        if ((attributes & FileAttributes.ReparsePoint) != 0) return FileKind.Symlink;
        return (attributes & FileAttributes.Directory) != 0 ? FileKind.Directory : FileKind.Regular;
    }

    /// <summary>A word for messages: "a directory", "a FIFO".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.Symlink => "a symbolic link",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "a file",
    };
}
