// How to start this same program again from a service: its own executable (an apphost, or the .NET tool's shim),
// or `dotnet monitornetwork.dll` when it was started that way.
namespace MonitorNetwork.Collector.Service;

/// <summary>The command that starts this program.</summary>
public static class ProgramInvocation
{
    /// <summary>The executable and, under the dotnet host, the program's assembly.</summary>
    public static IReadOnlyList<string> Current() => For(Environment.ProcessPath, typeof(ProgramInvocation).Assembly.Location);

    /// <summary>The rule of <see cref="Current"/>: the process's executable, unless it is the dotnet host.</summary>
    internal static IReadOnlyList<string> For(string? processPath, string assemblyPath)
    {
        var exe = processPath ?? "dotnet";
        var host = Path.GetFileNameWithoutExtension(exe).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return host ? [exe, assemblyPath] : [exe];
    }
}
