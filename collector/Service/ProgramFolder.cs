// Where the service's program lives. The service runs as LocalSystem, so whoever can replace the files its command
// line names can run code as LocalSystem. `service install` used to name the program where the user ran it from:
// a .NET global tool sits in %USERPROFILE%\.dotnet\tools, writable by that user (and by anything the user runs).
// Install now copies the program's folder into one only administrators can write (Program Files, whose ACL the copy
// inherits, as Sysmon copies itself into the Windows folder) and names the copy; uninstall removes it.
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Service;

/// <summary>The service's own copy of the program: from <paramref name="source"/> into <paramref name="target"/>.</summary>
/// <param name="source">The folder the running program was loaded from (AppContext.BaseDirectory).</param>
/// <param name="target">The admin-only folder the service runs it from.</param>
public sealed class ProgramFolder(string source, string target)
{
    /// <summary>%ProgramFiles%\MonitorNetwork.</summary>
    public static string DefaultTarget => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "MonitorNetwork");

    /// <summary>The running program's folder, to be copied to <see cref="DefaultTarget"/>.</summary>
    public static ProgramFolder ForThisProgram() => new(AppContext.BaseDirectory, DefaultTarget);

    /// <summary>The folder the service runs the program from.</summary>
    public string Target { get; } = Path.GetFullPath(target);

    /// <summary>
    /// The command that starts the copy, from the command that started this program: an executable inside the source
    /// folder becomes the copy's; the dotnet host keeps the host and names the copy's assembly; an executable outside
    /// the folder (the .NET tool's shim, in the user's profile) is replaced by <paramref name="dotnetHost"/> and the
    /// copy's assembly, since the shim itself is the user's to rewrite.
    /// </summary>
    public IReadOnlyList<string> Relocate(IReadOnlyList<string> invocation, string assemblyFileName, string dotnetHost)
    {
        var sourceFull = Path.GetFullPath(source);
        if (invocation.Count == 2) return [invocation[0], Path.Combine(Target, Path.GetFileName(invocation[1]))];
        var exe = Path.GetFullPath(invocation[0]);
        return IsInside(exe, sourceFull)
            ? [Path.Combine(Target, Path.GetRelativePath(sourceFull, exe))]
            : [dotnetHost, Path.Combine(Target, assemblyFileName)];
    }

    /// <summary>The dotnet host of the running runtime: three folders above shared/Microsoft.NETCore.App/&lt;version&gt;.</summary>
    public static string DotnetHost()
    {
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }

    /// <summary>
    /// Copies the program into <see cref="Target"/>, replacing an earlier copy whole. The copy is made beside the
    /// target and renamed into place, so a failed copy never leaves half a program where the service looks.
    /// Returns the undo: the target removed (and any earlier copy put back).
    /// </summary>
    public Action Place()
    {
        var sourceFull = Path.GetFullPath(source);
        if (IsInside(Target, sourceFull) || IsInside(sourceFull, Target))
            throw new MonitorNetworkException(FailureKind.Usage, $"the program already runs from {Target}: run install from the folder it was built or installed into");
        var parent = Path.GetDirectoryName(Target)!;
        var fresh = Target + ".new-" + Guid.NewGuid().ToString("N")[..8];
        var previous = Target + ".old-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(parent);
            CopyTree(sourceFull, fresh);
            var hadPrevious = Directory.Exists(Target);
            if (hadPrevious) Directory.Move(Target, previous);
            Directory.Move(fresh, Target);
            return () =>
            {
                Directory.Delete(Target, recursive: true);
                if (hadPrevious) Directory.Move(previous, Target);
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
            throw new MonitorNetworkException(ex is UnauthorizedAccessException ? FailureKind.AccessDenied : FailureKind.ServiceFailed,
                $"cannot copy the program to {Target}: {Output.DisplayText.OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>Removes the earlier copies <see cref="Place"/> kept for its undo, once the install has succeeded.</summary>
    public void Commit()
    {
        var parent = Path.GetDirectoryName(Target)!;
        foreach (var old in Directory.EnumerateDirectories(parent, Path.GetFileName(Target) + ".old-*"))
            TryDelete(old);
    }

    /// <summary>Removes the copy; the path of what could not be removed (a file in use), or null.</summary>
    public string? Remove() => Directory.Exists(Target) && !TryDelete(Target) ? Target : null;

    private static bool TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            // A link could lead the LocalSystem service to files the user still controls: refuse, do not follow.
            if (new DirectoryInfo(directory).LinkTarget is not null)
                throw new IOException($"{directory} is a link; the program folder must hold real files only");
            CopyTree(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    private static bool IsInside(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }
}
