// The collector's side of the flow-record cross test: every case of tests/testdata/flow-records.cases, played through
// FlowRecordBuilder (the rule the Kernel-Network source uses), must write exactly the records the case expects. The
// driver harness plays the same file through the driver's mn_flow_stats.c (flow_records_match_the_shared_cases), so
// the two implementations of the rule are held to one set of records, worked out by hand from the contract.
using System.Globalization;
using System.Net;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class FlowRecordCrossTests
{
    private static readonly long s_noonUs = UnixMicros.From(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private static readonly NetAddress s_local = NetAddress.FromIPAddress(IPAddress.Parse("192.168.1.10"));
    private static readonly NetAddress s_remote = NetAddress.FromIPAddress(IPAddress.Parse("203.0.113.10"));

    private sealed record Case(string Name, List<string[]> Steps, Dictionary<int, List<string>> Expected);

    /// <summary>The cases of the shared file.</summary>
    private static List<Case> Cases()
    {
        var cases = new List<Case>();
        foreach (var raw in File.ReadLines(RepoFiles.PathOf("tests", "testdata", "flow-records.cases")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[0] == "case") cases.Add(new Case(words[1], [], []));
            else if (words[0] == "expect")
            {
                var flow = int.Parse(words[1], CultureInfo.InvariantCulture);
                if (!cases[^1].Expected.TryGetValue(flow, out var list)) cases[^1].Expected[flow] = list = [];
                list.Add(string.Join(' ', words[2..]));
            }
            else cases[^1].Steps.Add(words);
        }
        return cases;
    }

    public static TheoryData<string> CaseNames() => [.. Cases().Select(c => c.Name)];

    [Fact]
    public void TheFile_HoldsTheCasesTheIssueNames()
    {
        var names = Cases().Select(c => c.Name).ToList();
        Assert.True(names.Count >= 8, string.Join(", ", names));
        foreach (var part in new[] { "first_interval", "quiet", "sweep", "ends_between_records", "two_flows", "without_packets" })
            Assert.Contains(names, n => n.Contains(part, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void FlowRecordBuilder_WritesTheCasesRecords(string name)
    {
        var c = Cases().Single(x => x.Name == name);
        var builder = new FlowRecordBuilder(FlowRecordBuilder.DefaultInterval, keepPackets: false);
        var output = new List<MonitorEvent>();
        var totals = new Dictionary<int, (ulong PacketsIn, ulong BytesIn, ulong PacketsOut, ulong BytesOut)>();
        static long Us(string seconds) => s_noonUs + long.Parse(seconds, CultureInfo.InvariantCulture) * 1_000_000;
        static FlowIdentity Identity(int flow) => new((uint)(1000 + flow), FlowDirection.Outbound, 6, s_local, (ushort)(50000 + flow), s_remote, 443);
        foreach (var step in c.Steps)
        {
            var t = Us(step[1]);
            switch (step[0])
            {
                case "establish":
                    var flow = int.Parse(step[2], CultureInfo.InvariantCulture);
                    var id = Identity(flow);
                    totals[flow] = default;
                    builder.Add(new FlowEstablishedEvent(t, (ulong)flow, id.ProcessId, id.Direction, id.Protocol, id.LocalAddress, id.LocalPort, id.RemoteAddress, id.RemotePort, @"C:\cross.exe"), output);
                    break;
                case "packet":
                    var f = int.Parse(step[2], CultureInfo.InvariantCulture);
                    var inbound = step[3] == "in";
                    var bytes = uint.Parse(step[4], CultureInfo.InvariantCulture);
                    var i = Identity(f);
                    var s = totals[f];
                    totals[f] = inbound ? (s.PacketsIn + 1, s.BytesIn + bytes, s.PacketsOut, s.BytesOut) : (s.PacketsIn, s.BytesIn, s.PacketsOut + 1, s.BytesOut + bytes);
                    builder.Add(new PacketEvent(t, (ulong)f, i.ProcessId, inbound ? FlowDirection.Inbound : FlowDirection.Outbound, 6, i.LocalAddress, i.LocalPort, i.RemoteAddress, i.RemotePort, bytes), output);
                    break;
                case "sweep":
                    // The builder sweeps at the first event of a later interval: any event will do, as the driver's timer.
                    builder.Add(new HealthEvent(t, "DriverHealth", []), output);
                    break;
                case "end":
                    var e = int.Parse(step[2], CultureInfo.InvariantCulture);
                    var total = totals[e];
                    builder.Add(new FlowDeletedEvent(t, (ulong)e, total.PacketsIn, total.BytesIn, total.PacketsOut, total.BytesOut), output);
                    break;
                default:
                    Assert.Fail($"a step this test does not read: {string.Join(' ', step)}");
                    break;
            }
        }
        var written = new Dictionary<int, List<string>>();
        string Line(string kind, long us, ulong pin, ulong bin, ulong pout, ulong bout) =>
            string.Create(CultureInfo.InvariantCulture, $"{kind} {(us - s_noonUs) / 1_000_000} {pin} {bin} {pout} {bout}");
        foreach (var o in output)
        {
            (int Flow, string Line)? record = o switch
            {
                FlowStatsEvent st => ((int)st.FlowId, Line("FlowStats", st.TimestampUs, st.PacketsIn, st.BytesIn, st.PacketsOut, st.BytesOut)),
                FlowDeletedEvent d => ((int)d.FlowId, Line("FlowDeleted", d.TimestampUs, d.PacketsIn, d.BytesIn, d.PacketsOut, d.BytesOut)),
                _ => null,
            };
            if (record is not { } r) continue;
            if (!written.TryGetValue(r.Flow, out var list)) written[r.Flow] = list = [];
            list.Add(r.Line);
        }
        Assert.Equal(c.Expected.Keys.Order(), written.Keys.Order());
        foreach (var (flow, expected) in c.Expected) Assert.Equal(expected, written[flow]);
    }
}
