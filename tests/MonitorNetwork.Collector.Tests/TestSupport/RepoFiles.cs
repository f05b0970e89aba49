// Finds files of this repository (schema/, queries/, driver/) from the test binary's folder, so tests read the
// real contract files rather than copies.
namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class RepoFiles
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MonitorNetwork.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("MonitorNetwork.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => s_root.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
