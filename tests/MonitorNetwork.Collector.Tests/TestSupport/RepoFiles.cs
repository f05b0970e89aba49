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

    /// <summary>
    /// A real EventPipe recording of contract version 1 (2,942 events of five programs within 22 ms, and one event the
    /// contract does not know): the first demo, kept as the fixed input of the tests that count its rows.
    /// </summary>
    public static string ContractV1Recording => PathOf("tests", "MonitorNetwork.Collector.Tests", "TestData", "contract-v1.nettrace");

    /// <summary>The demo a newcomer imports first (recording/make-demo.sh).</summary>
    public static string DemoRecording => PathOf("recording", "demo.nettrace");
}
