// Process enrichment: Kernel-Process start/stop (TDH types: int pid, DateTime CreateTime, string ImageName), the
// snapshot of running processes, and program names for kernel-source flows and packets even when a PID is reused.
using System.Buffers.Binary;
using System.Net;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class KernelProcessTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private static readonly string[] ProcessFields = ["ProcessID", "CreateTime", "ParentProcessID", "SessionID", "ImageName"];
    private static readonly string[] NetworkFields = ["PID", "size", "daddr", "saddr", "dport", "sport", "seqnum", "connid"];

    private static DateTime At(long us) => Events.UnixMicros.ToDateTime(us);

    private static FakeEventView Process(int id, int pid, long createdUs, string image, long ts) =>
        new("ProcessStart", ProcessFields, [pid, At(createdUs), 4, 1, image], KernelProcessDecoder.ProviderGuid, KernelProcessDecoder.ProviderName, ts, eventId: id);

    private static FakeEventView Network(int id, int pid, int size, string remote, ushort rport, ushort lport, long ts) =>
        new("KERNEL_NETWORK_TASK_TCPIP", NetworkFields,
            [pid, size, BinaryPrimitives.ReadInt32LittleEndian(IPAddress.Parse(remote).GetAddressBytes()),
             BinaryPrimitives.ReadInt32LittleEndian(IPAddress.Parse("10.0.0.5").GetAddressBytes()),
             unchecked((short)BinaryPrimitives.ReverseEndianness(rport)), unchecked((short)BinaryPrimitives.ReverseEndianness(lport)), 0, 0],
            KernelNetworkEvents.ProviderGuid, KernelNetworkEvents.ProviderName, ts, eventId: id);

    [Fact]
    public void Decode_StartAndStop_GiveProcessRunsKeyedByCreateTime()
    {
        var decoder = new KernelProcessDecoder();
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(Process(1, 42, T0, @"\Device\HarddiskVolume3\app.exe", T0 + 5), out var started));
        Assert.Equal(new ProcessStartedEvent(T0 + 5, 42, T0, @"\Device\HarddiskVolume3\app.exe", null), started);
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(Process(2, 42, T0, @"\Device\HarddiskVolume3\app.exe", T0 + 99), out var ended));
        Assert.Equal(new ProcessEndedEvent(T0 + 99, 42, T0, @"\Device\HarddiskVolume3\app.exe"), ended);
        var fileTime = new FakeEventView("ProcessStart", ProcessFields, [42, At(T0).ToFileTimeUtc(), 4, 1, "x.exe"], KernelProcessDecoder.ProviderGuid, eventId: 1);
        Assert.Equal(DecodeOutcome.Decoded, decoder.Decode(fileTime, out var viaFileTime));
        Assert.Equal(T0, Assert.IsType<ProcessStartedEvent>(viaFileTime).StartTimeUs);
    }

    [Theory]
    [InlineData(3, DecodeOutcome.Ignored)]   // thread start
    [InlineData(5, DecodeOutcome.Ignored)]   // image load
    public void Decode_OtherProcessEvents_AreIgnored(int id, DecodeOutcome expected) =>
        Assert.Equal(expected, new KernelProcessDecoder().Decode(Process(id, 1, T0, "x", T0), out _));

    [Fact]
    public void Decode_BadFields_AreMalformed_AndOtherProvidersAreNotClaimed()
    {
        var decoder = new KernelProcessDecoder();
        Assert.Equal(DecodeOutcome.Malformed, decoder.Decode(new FakeEventView("ProcessStart", ["ProcessID"], [1], KernelProcessDecoder.ProviderGuid, eventId: 1), out _));
        Assert.Equal(DecodeOutcome.Malformed, decoder.Decode(new FakeEventView("ProcessStart", ProcessFields, [1, "<<<EXCEPTION_DURING_VALUE_LOOKUP>>>", 0, 0, "x"], KernelProcessDecoder.ProviderGuid, eventId: 1), out _));
        Assert.Equal(DecodeOutcome.OtherProvider, decoder.Decode(new FakeEventView("ProcessStart", ProcessFields, [], Guid.NewGuid(), "Other", eventId: 1), out _));
    }

    [Fact]
    public void Snapshot_FindsThisProcessWithStartTimeAndImage()
    {
        var now = Events.UnixMicros.Now();
        var self = ProcessSnapshot.Take(now).Single(p => p.ProcessId == (uint)Environment.ProcessId);
        Assert.InRange(self.StartTimeUs, now - 3_600_000_000L * 24, now);
        Assert.False(string.IsNullOrEmpty(self.ImagePath));
        if (OperatingSystem.IsLinux()) Assert.Contains("MonitorNetwork.Collector.Tests", self.CommandLine ?? ""); // the test host runs our assembly
    }

    [Fact]
    public async Task KernelSource_ReusedPid_EachFlowAndPacketGetsItsOwnProgram()
    {
        using var dir = new TempDirectory();
        var path = dir.File("names.db");
        var counters = await RoutedStore.FillAsync(path, "etw-kernel", EtwProvider.KernelNetwork().CreateDecoder(), router =>
        {
            // pid 900 is first browser.exe, which exits; then the same pid is reused by updater.exe.
            router.Route(Process(1, 900, T0, @"C:\browser.exe", T0));
            router.Route(Network(12, 900, 0, "93.184.216.34", 443, 50000, T0 + 1_000_000));
            router.Route(Network(10, 900, 700, "93.184.216.34", 443, 50000, T0 + 2_000_000));
            router.Route(Network(13, 900, 0, "93.184.216.34", 443, 50000, T0 + 3_000_000));
            router.Route(Process(2, 900, T0, @"C:\browser.exe", T0 + 4_000_000));
            router.Route(Process(1, 900, T0 + 5_000_000, @"C:\updater.exe", T0 + 5_000_000));
            router.Route(Network(12, 900, 0, "198.51.100.9", 443, 50001, T0 + 6_000_000));
            router.Route(Network(10, 900, 300, "198.51.100.9", 443, 50001, T0 + 7_000_000));
            router.Route(Network(42, 900, 40, "198.51.100.53", 53, 55000, T0 + 8_000_000)); // UDP: no flow row
        });
        Assert.Equal((9L, 0L), (counters.Written, counters.Malformed));
        QueryResult Run(string name) => RoutedStore.Query(path, name);
        Assert.Equal([[900L, @"C:\browser.exe", 1L, 1L, 0L, 700L], [900L, @"C:\updater.exe", 1L, 2L, 0L, 340L]],
            Run("top-processes").Rows.OrderBy(r => (string)r[1]!));
        Assert.Equal([@"C:\updater.exe", @"C:\browser.exe"], Run("flows").Rows.Select(r => (string)r[2]!));
    }
}

public class KernelProcessStartV3Tests
{
    [Fact]
    public void Decode_V3StartWhoseImageNameTraceEventDropped_ReadsItFromThePayload()
    {
        // TraceEvent stops at the SID: names and values end with ProcessTokenIsElevated.
        string[] names = ["ProcessID", "ProcessSequenceNumber", "CreateTime", "ParentProcessID", "ParentProcessSequenceNumber", "SessionID", "Flags", "ProcessTokenElevationType", "ProcessTokenIsElevated"];
        var created = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        object?[] values = [1234, 77L, created, 4, 1L, 1, 0, 1, 0];
        var payload = new List<byte>();
        payload.AddRange(BitConverter.GetBytes(1234U));
        payload.AddRange(BitConverter.GetBytes(77UL));
        payload.AddRange(BitConverter.GetBytes(created.ToFileTimeUtc()));
        payload.AddRange(BitConverter.GetBytes(4U));
        payload.AddRange(BitConverter.GetBytes(1UL));
        foreach (var v in new uint[] { 1, 0, 1, 0 }) payload.AddRange(BitConverter.GetBytes(v));
        payload.AddRange(new byte[] { 1, 1, 0, 0, 0, 0, 0, 16 }); // S-1-16-...: one sub-authority
        payload.AddRange(BitConverter.GetBytes(0x2000U));        // medium integrity
        payload.AddRange(System.Text.Encoding.Unicode.GetBytes(@"\Device\HarddiskVolume3\Windows\notepad.exe" + "\0"));
        payload.AddRange(BitConverter.GetBytes(0xABCDU));        // ImageChecksum and the rest follow
        var view = new FakeEventView("ProcessStart", names, values, Decoding.KernelProcessDecoder.ProviderGuid, raw: payload.ToArray(), eventId: 1);
        Assert.Equal(Decoding.DecodeOutcome.Decoded, new Decoding.KernelProcessDecoder().Decode(view, out var decoded));
        Assert.Equal(@"\Device\HarddiskVolume3\Windows\notepad.exe", Assert.IsType<Events.ProcessStartedEvent>(decoded).ImagePath);
    }

    [Fact]
    public void Decode_V3StartWithTruncatedPayload_KeepsTheRunWithoutImage()
    {
        string[] names = ["ProcessID", "CreateTime", "ProcessTokenIsElevated"];
        var view = new FakeEventView("ProcessStart", names, [5, DateTime.UtcNow, 0], Decoding.KernelProcessDecoder.ProviderGuid, raw: new byte[50], eventId: 1);
        Assert.Equal(Decoding.DecodeOutcome.Decoded, new Decoding.KernelProcessDecoder().Decode(view, out var decoded));
        Assert.Null(Assert.IsType<Events.ProcessStartedEvent>(decoded).ImagePath);
    }
}
