// One program, one path: the three spellings Windows gives an executable (DOS, Kernel-Process's NT device path,
// WFP's lowercase NT path) become one DOS path, and the store keeps what the source sent beside it.
using System.Net;
using Dapper;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ImagePathNormalizerTests
{
    private static readonly Dictionary<string, string> s_volumes = new()
    {
        [@"\Device\HarddiskVolume1"] = "D:",
        [@"\Device\HarddiskVolume3"] = "C:",
        [@"\Device\HarddiskVolume10"] = "E:",
    };

    [Theory]
    [InlineData(@"C:\Windows\System32\svchost.exe", @"C:\Windows\System32\svchost.exe")]
    [InlineData(@"\Device\HarddiskVolume3\Windows\System32\svchost.exe", @"C:\Windows\System32\svchost.exe")]
    [InlineData(@"\device\harddiskvolume3\windows\system32\svchost.exe", @"C:\windows\system32\svchost.exe")]
    [InlineData(@"\Device\HarddiskVolume10\Tools\x.exe", @"E:\Tools\x.exe")] // not Volume1 + "0\Tools"
    [InlineData(@"\Device\HarddiskVolume1\Tools\x.exe", @"D:\Tools\x.exe")]
    [InlineData(@"\??\C:\Program Files\app.exe", @"C:\Program Files\app.exe")]
    [InlineData(@"\Device\Mup\server\share\tool.exe", @"\Device\Mup\server\share\tool.exe")] // no drive: left as sent
    [InlineData(@"\Device\HarddiskVolume3", @"\Device\HarddiskVolume3")]                     // a bare device is no path
    [InlineData("", "")]
    [InlineData("System", "System")]
    public void Normalize_EachSpelling_ToItsDosPath(string sent, string expected) =>
        Assert.Equal(expected, new ImagePathNormalizer(s_volumes).Normalize(sent));

    [Fact]
    public void Normalize_ThreeSpellingsOfOneProgram_OneSpellingForTheRun()
    {
        var paths = new ImagePathNormalizer(s_volumes);
        var fromSnapshot = paths.Normalize(@"C:\Windows\System32\svchost.exe");
        var fromKernelProcess = paths.Normalize(@"\Device\HarddiskVolume3\Windows\System32\svchost.exe");
        var fromWfp = paths.Normalize(@"\device\harddiskvolume3\windows\system32\svchost.exe");
        Assert.Equal(fromSnapshot, fromKernelProcess);
        Assert.Equal(fromSnapshot, fromWfp);
    }

    [Fact]
    public void Normalize_LowercaseFirst_ABetterCasedSpellingTakesOver()
    {
        var paths = new ImagePathNormalizer(s_volumes);
        Assert.Equal(@"C:\windows\explorer.exe", paths.Normalize(@"\device\harddiskvolume3\windows\explorer.exe"));
        Assert.Equal(@"C:\Windows\explorer.exe", paths.Normalize(@"\Device\HarddiskVolume3\Windows\explorer.exe"));
        Assert.Equal(@"C:\Windows\explorer.exe", paths.Normalize(@"\device\harddiskvolume3\windows\explorer.exe"));
    }

    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z: the store refuses implausible times

    [Fact]
    public void Store_KeepsTheNormalisedPathAndTheSentOneBeside()
    {
        using var dir = new TempDirectory();
        var db = dir.File("paths.db");
        var paths = new ImagePathNormalizer(s_volumes);
        var wfp = @"\device\harddiskvolume3\windows\system32\svchost.exe";
        var address = NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.1"));
        MonitorEvent[] events =
        [
            paths.Apply(new ProcessStartedEvent(T0 + 1, 700, 100, @"\Device\HarddiskVolume3\Windows\System32\svchost.exe", null)),
            paths.Apply(new FlowEstablishedEvent(T0 + 2, 9, 700, FlowDirection.Outbound, 6, address, 5000, address, 443, wfp)),
            paths.Apply(new FlowEstablishedEvent(T0 + 3, 10, 700, FlowDirection.Outbound, 6, address, 5001, address, 443, @"C:\Windows\System32\svchost.exe")),
        ];
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch(events, default);
        }
        using var read = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly");
        var flows = read.Query<(string process_path, string? process_path_raw)>("SELECT process_path, process_path_raw FROM flow ORDER BY flow_id").ToList();
        Assert.Equal([(@"C:\Windows\System32\svchost.exe", wfp), (@"C:\Windows\System32\svchost.exe", null)], flows);
        var process = read.QuerySingle<(string image_path, string image_path_raw)>("SELECT image_path, image_path_raw FROM process");
        Assert.Equal((@"C:\Windows\System32\svchost.exe", @"\Device\HarddiskVolume3\Windows\System32\svchost.exe"), process);
        Assert.Equal(1, read.ExecuteScalar<int>("SELECT count(DISTINCT process_path) FROM flows"));
    }
}
