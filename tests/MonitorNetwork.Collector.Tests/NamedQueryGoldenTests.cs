// Every named query's output on a known stream, compared with answers computed here from the events themselves
// (LINQ over the records that were written), not from SQL.
using System.Globalization;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public sealed class NamedQueryGoldenTests : IClassFixture<NamedQueryGoldenTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public GoldenStore Store { get; } = new();
        public void Dispose() => Store.Dispose();
    }

    private readonly GoldenStore _store;
    private readonly List<MonitorEvent> _events;
    private readonly List<FlowEstablishedEvent> _established;
    private readonly Dictionary<ulong, FlowDeletedEvent> _deleted;
    private readonly List<PacketEvent> _packets;

    public NamedQueryGoldenTests(Fixture fixture)
    {
        _store = fixture.Store;
        _events = _store.Events;
        _established = _events.OfType<FlowEstablishedEvent>().ToList();
        _deleted = _events.OfType<FlowDeletedEvent>().ToDictionary(d => d.FlowId);
        _packets = _events.OfType<PacketEvent>().ToList();
    }

    private QueryResult Run(string name, params string[] parameters)
    {
        var query = QueryCatalog.Find(name)!;
        var result = QueryExecutor.Run(_store.DatabasePath, query, ParameterBinder.Bind(query, parameters, DateTimeOffset.UtcNow));
        if (result.Columns.Count == 0 || result.Columns[^1] != "remote_host") return result;
        // This store has no DNS answers: every host name is NULL (DnsNamesTests covers names); compare the rest.
        Assert.All(result.Rows, row => Assert.Null(row[^1]));
        return new QueryResult(result.Columns.Take(result.Columns.Count - 1).ToList(), result.Rows.Select(row => row[..^1]).ToList());
    }

    private static object?[][] Rows(QueryResult r) => r.Rows.Select(row => row.ToArray()).ToArray();

    // Written here, not with UnixMicros: the expectations are computed apart from the code they check.
    private static string Iso(long us) => DateTime.UnixEpoch.AddTicks(us * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private bool HasFlowRow(ulong flowId) => _established.Any(f => f.FlowId == flowId) || _deleted.ContainsKey(flowId);

    /// <summary>Attribution shared by top-processes and top-remotes: (pid, path, remote, flows, packets, in, out).</summary>
    private IEnumerable<(long? Pid, string? Path, string? Remote, long Flows, long Packets, long In, long Out)> Attributed()
    {
        foreach (var f in _established)
        {
            if (_deleted.TryGetValue(f.FlowId, out var d))
                yield return (f.ProcessId, f.ProcessPath, f.RemoteAddress.ToString(), 1, (long)(d.PacketsIn + d.PacketsOut), (long)d.BytesIn, (long)d.BytesOut);
            else
            {
                var ps = _packets.Where(p => p.FlowId == f.FlowId).ToList();
                yield return (f.ProcessId, f.ProcessPath, f.RemoteAddress.ToString(), 1, ps.Count,
                    ps.Where(p => p.Direction == FlowDirection.Inbound).Sum(p => (long)p.Bytes), ps.Where(p => p.Direction == FlowDirection.Outbound).Sum(p => (long)p.Bytes));
            }
        }
        foreach (var d in _deleted.Values.Where(d => _established.All(f => f.FlowId != d.FlowId)))
            yield return (null, null, null, 1, (long)(d.PacketsIn + d.PacketsOut), (long)d.BytesIn, (long)d.BytesOut);
        foreach (var p in _packets.Where(p => !HasFlowRow(p.FlowId)))
            yield return (p.ProcessId, null, p.RemoteAddress.ToString(), 0, 1, p.Direction == FlowDirection.Inbound ? p.Bytes : 0, p.Direction == FlowDirection.Outbound ? p.Bytes : 0);
    }

    [Fact]
    public void TopProcesses_MatchesEvents()
    {
        var expected = Attributed()
            .GroupBy(a => (a.Pid, a.Path))
            // pid 4 without a path is the kernel's System process, named as Task Manager names it.
            .Select(g => new object?[] { g.Key.Pid, g.Key.Pid == 4 && string.IsNullOrEmpty(g.Key.Path) ? "System" : g.Key.Path, g.Sum(a => a.Flows), g.Sum(a => a.Packets), g.Sum(a => a.In), g.Sum(a => a.Out) })
            .OrderByDescending(r => (long)r[4]! + (long)r[5]!).ThenBy(r => (long?)r[0] ?? -1).ThenBy(r => (string?)r[1], StringComparer.Ordinal)
            .Take(20).ToArray();
        var actual = Run("top-processes");
        Assert.Equal(["pid", "process_path", "flows", "packets", "bytes_in", "bytes_out"], actual.Columns);
        Assert.Equal(expected, Rows(actual));
    }

    [Fact]
    public void TopProcesses_NeverCountsAByteTwice()
    {
        var all = Run("top-processes", "limit=1000");
        long expectedBytes = _deleted.Values.Sum(d => (long)(d.BytesIn + d.BytesOut))
            + _packets.Where(p => !_deleted.ContainsKey(p.FlowId)).Sum(p => (long)p.Bytes);
        Assert.Equal(expectedBytes, all.Rows.Sum(r => (long)r[4]! + (long)r[5]!));
    }

    [Fact]
    public void TopRemotes_MatchesEvents()
    {
        var expected = Attributed().Where(a => a.Remote is not null)
            .GroupBy(a => a.Remote)
            .Select(g => new object?[] { g.Key, g.Sum(a => a.Flows), g.Sum(a => a.Packets), g.Sum(a => a.In), g.Sum(a => a.Out), (long)g.Select(a => a.Pid).Where(p => p is not null).Distinct().Count() })
            .OrderByDescending(r => (long)r[3]! + (long)r[4]!).ThenBy(r => (string)r[0]!, StringComparer.Ordinal)
            .Take(20).ToArray();
        var actual = Run("top-remotes");
        Assert.Equal(["remote_address", "flows", "packets", "bytes_in", "bytes_out", "processes"], actual.Columns);
        Assert.Equal(expected, Rows(actual));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(300)]
    [InlineData(10)]
    public void Timeline_MatchesPackets(int bucketSeconds)
    {
        // Buckets of a minute or more group whole minutes by where each minute starts; under a minute, exact seconds.
        long BucketOf(PacketEvent p) => bucketSeconds >= 60
            ? p.TimestampUs / 60_000_000 * 60 / bucketSeconds * bucketSeconds
            : p.TimestampUs / 1_000_000 / bucketSeconds * bucketSeconds;
        var expected = _packets.GroupBy(BucketOf).OrderBy(g => g.Key)
            .Select(g => new object?[]
            {
                DateTime.UnixEpoch.AddSeconds(g.Key).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                (long)g.Count(),
                g.Where(p => p.Direction == FlowDirection.Inbound).Sum(p => (long)p.Bytes),
                g.Where(p => p.Direction == FlowDirection.Outbound).Sum(p => (long)p.Bytes),
            }).ToArray();
        var actual = Run("timeline", $"bucket={bucketSeconds}");
        Assert.Equal(["bucket_start", "packets", "bytes_in", "bytes_out"], actual.Columns);
        Assert.Equal(expected, Rows(actual));
    }

    private object?[] FlowRow(FlowEstablishedEvent f)
    {
        static string Endpoint(NetAddress a, ushort port) => (a.IsIPv4Mapped ? a.ToString() : $"[{a}]") + ":" + port;
        var ended = _deleted.TryGetValue(f.FlowId, out var d);
        var ps = _packets.Where(p => p.FlowId == f.FlowId).ToList();
        return
        [
            f.FlowId.ToString(CultureInfo.InvariantCulture), (long)f.ProcessId, f.ProcessPath,
            f.Direction == FlowDirection.Inbound ? "in" : "out", f.Protocol == 6 ? "tcp" : "udp",
            Endpoint(f.LocalAddress, f.LocalPort), Endpoint(f.RemoteAddress, f.RemotePort),
            Iso(f.TimestampUs), ended ? Iso(d!.TimestampUs) : null,
            ended ? (long)d!.BytesIn : ps.Where(p => p.Direction == FlowDirection.Inbound).Sum(p => (long)p.Bytes),
            ended ? (long)d!.BytesOut : ps.Where(p => p.Direction == FlowDirection.Outbound).Sum(p => (long)p.Bytes),
        ];
    }

    /// <summary>Every flow row with the time the window and the order use: start, or end for a flow seen only ending.</summary>
    private IEnumerable<(long Ts, object?[] Row)> AllFlowRows()
    {
        var orphan = _deleted.Values.Single(d => _established.All(f => f.FlowId != d.FlowId));
        return _established.Select(f => (Ts: f.TimestampUs, Row: FlowRow(f)))
            .Append((Ts: orphan.TimestampUs, Row: new object?[]
            {
                orphan.FlowId.ToString(CultureInfo.InvariantCulture), null, null, null, null, null, null, null, Iso(orphan.TimestampUs),
                (long)orphan.BytesIn, (long)orphan.BytesOut,
            }));
    }

    [Fact]
    public void Flows_AllNewestFirst_MatchesEvents()
    {
        var rows = AllFlowRows().OrderByDescending(r => r.Ts).Select(r => r.Row).ToArray();
        var actual = Run("flows");
        Assert.Equal(["flow_id", "pid", "process_path", "direction", "protocol", "local", "remote", "start_utc", "end_utc", "bytes_in", "bytes_out"], actual.Columns);
        Assert.Equal(rows, Rows(actual));
    }

    [Fact]
    public void Flows_FilteredByProcessAndRemote_MatchesEvents()
    {
        var target = _established[10];
        var byRemote = _established.Where(f => f.RemoteAddress == target.RemoteAddress).OrderByDescending(f => f.TimestampUs).Select(FlowRow).ToArray();
        Assert.Equal(byRemote, Rows(Run("flows", $"remote={target.RemoteAddress}")));
        var byPid = _established.Where(f => f.ProcessId == target.ProcessId).OrderByDescending(f => f.TimestampUs).Select(FlowRow).ToArray();
        Assert.Equal(byPid, Rows(Run("flows", $"process={target.ProcessId}")));
        var byPath = _established.Where(f => f.ProcessPath.Contains("zoë", StringComparison.OrdinalIgnoreCase)).OrderByDescending(f => f.TimestampUs).Select(FlowRow).ToArray();
        Assert.NotEmpty(byPath);
        Assert.Equal(byPath, Rows(Run("flows", "process=zoë\\AGENT"))); // SQLite lower() folds ASCII letters only
        var since = _established[40].TimestampUs;
        var recent = AllFlowRows().Where(r => r.Ts >= since).OrderByDescending(r => r.Ts).Select(r => r.Row).ToArray();
        Assert.Equal(recent, Rows(Run("flows", $"since={Iso(since)}")));
    }

    [Fact]
    public void NewRemotes_MatchesFirstSightings()
    {
        var sightings = _established.Select(f => (Remote: f.RemoteAddress.ToString(), Ts: f.TimestampUs, Pid: (long)f.ProcessId))
            .Concat(_packets.Select(p => (Remote: p.RemoteAddress.ToString(), Ts: p.TimestampUs, Pid: (long)p.ProcessId)));
        var first = sightings.GroupBy(s => s.Remote).Select(g => g.MinBy(s => s.Ts)).ToList();
        var since = _established[30].TimestampUs;
        var expected = first.Where(s => s.Ts >= since).OrderByDescending(s => s.Ts)
            .Select(s => new object?[] { s.Remote, Iso(s.Ts), s.Pid, (long)_established.Count(f => f.RemoteAddress.ToString() == s.Remote) })
            .ToArray();
        var actual = Run("new-remotes", $"since={Iso(since)}");
        Assert.Equal(["remote_address", "first_seen_utc", "first_pid", "flows"], actual.Columns);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Rows(actual));
    }

    [Fact]
    public void Listeners_MatchesInboundFlows()
    {
        var expected = _established.Where(f => f.Direction == FlowDirection.Inbound)
            .GroupBy(f => (f.LocalPort, f.Protocol, f.ProcessId, f.ProcessPath))
            .Select(g => new object?[]
            {
                (long)g.Key.LocalPort, g.Key.Protocol == 6 ? "tcp" : "udp", (long)g.Key.ProcessId, g.Key.ProcessPath,
                (long)g.Count(), (long)g.Select(f => f.RemoteAddress).Distinct().Count(), Iso(g.Max(f => f.TimestampUs)),
            })
            .OrderByDescending(r => (long)r[4]!).ThenBy(r => (long)r[0]!).ThenBy(r => (long)r[2]!).ToArray();
        var actual = Run("listeners");
        Assert.Equal(["local_port", "protocol", "pid", "process_path", "flows", "remotes", "last_seen_utc"], actual.Columns);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Rows(actual));
    }

    [Fact]
    public void Loss_ShowsSessionCounters()
    {
        var c = _store.Counters;
        var actual = Run("loss");
        Assert.Equal(["session_id", "source", "started_utc", "ended_utc", "status", "received", "written", "dropped", "lost", "malformed", "buffers_lost"], actual.Columns);
        Assert.Equal([[1L, "nettrace", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "completed", c.Received, c.Written, c.Dropped, c.Lost, c.Malformed, c.BuffersLost]], Rows(actual));
    }
}
