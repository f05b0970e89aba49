// IPFIX export against a real collector (Debian's nfdump: nfcapd receives, nfdump reads back) and against a reader
// written from RFC 7011 for these tests (TestSupport/IpfixReader): the flows, directions, byte and packet totals and
// times nfdump reads equal the store's; the enterprise elements decode to the right process; a second export sends
// nothing but templates; an export that dies between a send and its commit re-sends at most that one batch.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Export.Ipfix;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class IpfixTests
{
    private const long T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
    private static readonly string s_demo = RepoFiles.ContractV1Recording;

    private static async Task<string> DemoStore(TempDirectory dir)
    {
        var db = dir.File("store.db");
        Assert.Equal(0, (await CliRun.RunAsync("import", s_demo, "--db", db)).Code);
        return db;
    }

    /// <summary>What the collector must hold: per flow and direction that moved, its packets and bytes.</summary>
    private static List<(string Src, string Dst, int SrcPort, int DstPort, long Packets, long Bytes)> StoreRecords(string db)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        var rows = new List<(string, string, int, int, long, long)>();
        foreach (var f in c.Query<(string La, string Ra, long Lp, long Rp, long Pin, long Bin, long Pout, long Bout)>("""
            SELECT local_address, remote_address, local_port, remote_port,
                   CASE WHEN end_ts_us IS NOT NULL THEN packets_in ELSE coalesce(stats_packets_in, 0) END,
                   CASE WHEN end_ts_us IS NOT NULL THEN bytes_in ELSE coalesce(stats_bytes_in, 0) END,
                   CASE WHEN end_ts_us IS NOT NULL THEN packets_out ELSE coalesce(stats_packets_out, 0) END,
                   CASE WHEN end_ts_us IS NOT NULL THEN bytes_out ELSE coalesce(stats_bytes_out, 0) END
            FROM flow
            """))
        {
            if (f.Pout > 0 || f.Bout > 0) rows.Add((f.La, f.Ra, (int)f.Lp, (int)f.Rp, f.Pout, f.Bout));
            if (f.Pin > 0 || f.Bin > 0) rows.Add((f.Ra, f.La, (int)f.Rp, (int)f.Lp, f.Pin, f.Bin));
        }
        return rows;
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    /// <summary>Our own UDP listener: every datagram, in order.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        public List<byte[]> Datagrams { get; } = [];
        private readonly SemaphoreSlim _arrived = new(0);
        public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

        public Listener()
        {
            _udp.Client.ReceiveBufferSize = 8 << 20;
            _loop = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var r = await _udp.ReceiveAsync(_stop.Token);
                        lock (Datagrams) Datagrams.Add(r.Buffer);
                        _arrived.Release();
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        /// <summary>
        /// The messages received, decoded, once <paramref name="complete"/> says they are all there: each datagram's
        /// arrival is the signal to look again (no settling sleep). After 30 s, what arrived, for the assertions to judge.
        /// </summary>
        public async Task<List<IpfixMessage>> MessagesAsync(Func<List<IpfixMessage>, bool> complete)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var reader = new IpfixReader();
                List<IpfixMessage> messages;
                lock (Datagrams) messages = Datagrams.Select(d => reader.Read(d)).ToList();
                if (complete(messages)) return messages;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left)) return messages;
            }
        }

        /// <summary>The messages, once <paramref name="count"/> have arrived.</summary>
        public Task<List<IpfixMessage>> MessagesAsync(int count) => MessagesAsync(m => m.Count >= count);

        /// <summary>How many messages an export's summary line says it sent ("in N messages (+M template messages)").</summary>
        public static int MessagesSent(string summary)
        {
            var m = System.Text.RegularExpressions.Regex.Match(summary, @"in ([\d,]+) messages \(\+(\d+) template messages\)");
            Assert.True(m.Success, summary);
            return int.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)
                + int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            _stop.Cancel();
            try { _loop.Wait(1000); } catch (AggregateException) { }
            _udp.Dispose();
        }
    }

    [Fact]
    public async Task Nfcapd_ReadsExactlyTheStoresFlowsDirectionsBytesAndTimes_AndASecondExportAddsNothing()
    {
        if (!File.Exists("/usr/bin/nfcapd") || !File.Exists("/usr/bin/nfdump")) Assert.Skip("needs nfcapd and nfdump (apt-get install nfdump)");
        using var dir = new TempDirectory();
        var db = await DemoStore(dir);
        var flows = dir.File("flows");
        Directory.CreateDirectory(flows);
        var port = FreeUdpPort();
        using var nfcapd = Process.Start(new ProcessStartInfo("/usr/bin/nfcapd", ["-w", flows, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-b", "127.0.0.1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            // nfcapd prints nothing when its socket is bound: the kernel's socket table says so.
            await UdpSocketState.UntilAsync(port, s => s is not null, "nfcapd to bind its socket");
            var first = await CliRun.RunAsync("export", "--format", "ipfix", "--to", $"127.0.0.1:{port}", "--db", db, "--domain", "7");
            Assert.Equal(0, first.Code);
            Assert.Contains("65 segments as 130 records", first.Out, StringComparison.Ordinal);
            var second = await CliRun.RunAsync("export", "--format", "ipfix", "--to", $"127.0.0.1:{port}", "--db", db, "--domain", "7");
            Assert.Equal(0, second.Code);
            Assert.Contains("0 segments as 0 records in 0 messages (+1 template messages)", second.Out, StringComparison.Ordinal);
            // Every datagram read by nfcapd before it is told to stop: its socket's receive queue is empty.
            await UdpSocketState.UntilAsync(port, s => s is { ReceiveQueue: 0 }, "nfcapd to read every datagram");
        }
        finally
        {
            Process.Start("kill", ["-TERM", nfcapd.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await nfcapd.WaitForExitAsync();
        }
        var dump = Process.Start(new ProcessStartInfo("/usr/bin/nfdump", ["-R", flows, "-q", "-6", "-o", "fmt:%ts|%te|%sa|%da|%sp|%dp|%pr|%pkt|%byt|%dir"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var text = await dump.StandardOutput.ReadToEndAsync();
        await dump.WaitForExitAsync();
        var got = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('|').Select(p => p.Trim()).ToArray())
            .Where(p => p.Length == 10)
            .Select(p => (Src: p[2], Dst: p[3], SrcPort: int.Parse(p[4], System.Globalization.CultureInfo.InvariantCulture), DstPort: int.Parse(p[5], System.Globalization.CultureInfo.InvariantCulture),
                Packets: long.Parse(p[7], System.Globalization.CultureInfo.InvariantCulture), Bytes: long.Parse(p[8], System.Globalization.CultureInfo.InvariantCulture), Dir: p[9], Start: p[0]))
            .ToList();
        var expected = StoreRecords(db);
        Assert.Equal(expected.Count, got.Count); // the second export added nothing
        Assert.Equal(expected.Select(e => (e.Src, e.Dst, e.SrcPort, e.DstPort, e.Packets, e.Bytes)).Order(),
            got.Select(g => (g.Src, g.Dst, g.SrcPort, g.DstPort, g.Packets, g.Bytes)).Order());
        // Directions: records from a local address are egress (nfdump: E), to it ingress (I).
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        var locals = c.Query<string>("SELECT DISTINCT local_address FROM flow").ToHashSet();
        Assert.All(got, g => Assert.Equal(locals.Contains(g.Src) ? "E" : "I", g.Dir));
        // Times: nfdump's first-seen is the segment's start, to the second it prints.
        var firstStart = Events.UnixMicros.Format(c.ExecuteScalar<long>("SELECT min(start_ts_us) FROM flow"), "yyyy-MM-dd HH:mm:ss");
        Assert.Contains(got, g => g.Start.StartsWith(firstStart, StringComparison.Ordinal));
    }

    [Fact]
    public async Task IndependentReader_HeaderTemplatesSequenceAndEnterpriseElementsDecodeToTheRightProcess()
    {
        using var dir = new TempDirectory();
        var db = await DemoStore(dir);
        using var listener = new Listener();
        var run = await CliRun.RunAsync("export", "--format", "ipfix", "--to", $"127.0.0.1:{listener.Port}", "--db", db, "--domain", "42");
        Assert.Equal(0, run.Code);
        var messages = await listener.MessagesAsync(Listener.MessagesSent(run.Out));
        Assert.All(messages, m => Assert.Equal((ushort)10, m.Version));
        Assert.All(messages, m => Assert.Equal(42u, m.Domain));
        Assert.All(messages, m => Assert.True(m.Length <= IpfixEncoder.MaxMessageBytes));
        // The first message carries both templates; enterprise elements carry our number.
        Assert.Equal([(ushort)256, (ushort)257], messages[0].Templates.Select(t => t.TemplateId));
        var v4 = messages[0].Templates[0].Fields;
        Assert.Contains(new IpfixField(1, 8, 0), v4);   // octetDeltaCount
        Assert.Contains(new IpfixField(152, 8, 0), v4); // flowStartMilliseconds
        Assert.Contains(new IpfixField(96, 65535, 0), v4); // applicationName, variable length
        Assert.Contains(new IpfixField(1, 4, 32473), v4); // processId, enterprise
        // Sequence numbers count the data records sent before each message.
        long seen = 0;
        foreach (var m in messages)
        {
            Assert.Equal((uint)seen, m.Sequence);
            seen += m.Records.Count;
        }
        var records = messages.SelectMany(m => m.Records).ToList();
        Assert.Equal(StoreRecords(db).Count, records.Count);
        // Each record's enterprise elements name the flow's own process.
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        var byPort = c.Query<(long LocalPort, long Pid, string? Path)>("SELECT local_port, pid, process_path FROM flow")
            .GroupBy(f => f.LocalPort).ToDictionary(g => g.Key, g => g.First());
        foreach (var r in records)
        {
            var egress = IpfixReader.Unsigned(r[(0, 61)]) == 1;
            var localPort = (long)IpfixReader.Unsigned(r[(0, egress ? (ushort)7 : (ushort)11)]);
            var flow = byPort[localPort];
            Assert.Equal((ulong)flow.Pid, IpfixReader.Unsigned(r[(32473, 1)]));
            Assert.Equal(flow.Path ?? "", IpfixReader.Text(r[(32473, 2)]));
            Assert.Equal(Path.GetFileName((flow.Path ?? "").Replace('\\', '/')), IpfixReader.Text(r[(0, 96)]));
        }
    }

    [Fact]
    public async Task LongLivedFlow_EachExportSendsItsDelta_TheCollectorsSumIsTheStores()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var id = new FlowIdentity(4242, FlowDirection.Outbound, 6, NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.5")), 50000,
            NetAddress.FromIPAddress(IPAddress.Parse("2001:db8::7")), 443);
        void Write(params MonitorEvent[] events)
        {
            using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch(events, default);
        }
        using var listener = new Listener();
        var options = new IpfixOptions("127.0.0.1", listener.Port);
        var sent = 0L;
        async Task<IpfixResult> Export()
        {
            using var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1));
            var result = await new IpfixExporter(c).ExportAsync(options);
            sent += result.DataMessages + result.TemplateMessages;
            return result;
        }
        Write(new FlowEstablishedEvent(T0, 9, 4242, id.Direction, 6, id.LocalAddress, 50000, id.RemoteAddress, 443, @"C:\vpn.exe"));
        for (var i = 1; i <= 5; i++)
        {
            Write(new FlowStatsEvent(T0 + i * 60_000_000L, 9, id, (ulong)(10 * i), (ulong)(1000 * i), (ulong)i, (ulong)(100 * i)));
            Assert.Equal(1, (await Export()).Segments);
        }
        Write(new FlowDeletedEvent(T0 + 330_000_000L, 9, 55, 5_500, 5, 500) { Identity = id });
        Assert.Equal(1, (await Export()).Segments);
        var records = (await listener.MessagesAsync((int)sent)).SelectMany(m => m.Records).ToList();
        Assert.Equal(5_500L, records.Where(r => IpfixReader.Unsigned(r[(0, 61)]) == 0).Select(r => (long)IpfixReader.Unsigned(r[(0, 1)])).Sum());
        Assert.Equal(500L, records.Where(r => IpfixReader.Unsigned(r[(0, 61)]) == 1).Select(r => (long)IpfixReader.Unsigned(r[(0, 1)])).Sum());
        Assert.Equal(16, records[0][(0, 27)].Length); // IPv6 template
        Assert.Equal(3UL, IpfixReader.Unsigned(records[^1][(0, 136)])); // flowEndReason: end of flow on the last
        Assert.Equal(2UL, IpfixReader.Unsigned(records[0][(0, 136)]));  // active timeout before it
        Assert.All(records, r => Assert.Equal((ulong)(T0 / 1000), IpfixReader.Unsigned(r[(32473, 3)]))); // one flow origin on every segment
    }

    [Fact]
    public async Task AnExportThatDiesBetweenSendAndCommit_ReSendsAtMostThatOneBatch()
    {
        using var dir = new TempDirectory();
        var db = dir.File("store.db");
        var local = NetAddress.FromIPAddress(IPAddress.Parse("10.0.0.5"));
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
        {
            using var writer = new SqliteEventWriter(c, SessionStore.Begin(c, "test", null, DateTimeOffset.UtcNow));
            writer.WriteBatch(Enumerable.Range(0, 1000).Select(i =>
            {
                var id = new FlowIdentity(7, FlowDirection.Outbound, 6, local, (ushort)(40000 + i), NetAddress.FromIPAddress(IPAddress.Parse($"198.51.100.{i % 250 + 1}")), 443);
                return (MonitorEvent)new FlowDeletedEvent(T0 + i * 1000L, (ulong)i + 1, 2, 200, 1, 100) { Identity = id };
            }).ToList(), default);
        }
        using var listener = new Listener();
        var options = new IpfixOptions("127.0.0.1", listener.Port);
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
        {
            var batches = 0;
            var dying = new IpfixExporter(c) { AfterSend = () => { if (++batches == 3) throw new IOException("killed after its third send"); } };
            await Assert.ThrowsAsync<IOException>(() => dying.ExportAsync(options));
        }
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
            Assert.Equal(1000 - 2 * IpfixExporter.BatchSegments, (await new IpfixExporter(c).ExportAsync(options)).Segments);
        // Every flow's two records, and the batch in flight at the kill once more.
        var records = (await listener.MessagesAsync(m => m.Sum(x => x.Records.Count) >= 2000 + 2 * IpfixExporter.BatchSegments)).SelectMany(m => m.Records).ToList();
        var sent = records.Count;
        var distinct = records.Select(r => (IpfixReader.Unsigned(r[(0, 7)]), IpfixReader.Unsigned(r[(0, 11)]), IpfixReader.Unsigned(r[(0, 61)]))).Distinct().Count();
        Assert.Equal(2000, distinct); // every flow's two directions arrived
        var resent = sent - distinct;
        Assert.Equal(2 * IpfixExporter.BatchSegments, resent); // measured: exactly the one batch in flight, two records a segment
    }

    [Fact]
    public async Task Tcp_SendsTemplatesAndRecords_AndWithdrawsTheTemplatesAtTheEnd()
    {
        using var dir = new TempDirectory();
        var db = await DemoStore(dir);
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        var receive = Task.Run(async () =>
        {
            using var client = await server.AcceptTcpClientAsync();
            using var stream = client.GetStream();
            var all = new MemoryStream();
            await stream.CopyToAsync(all);
            return all.ToArray();
        });
        var run = await CliRun.RunAsync("export", "--format", "ipfix", "--transport", "tcp", "--to", $"127.0.0.1:{port}", "--db", db);
        Assert.Equal(0, run.Code);
        var bytes = await receive.WaitAsync(TimeSpan.FromSeconds(10));
        server.Stop();
        var reader = new IpfixReader();
        var messages = new List<IpfixMessage>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var length = (bytes[offset + 2] << 8) | bytes[offset + 3];
            messages.Add(reader.Read(bytes.AsSpan(offset, length)));
            offset += length;
        }
        Assert.Equal(StoreRecords(db).Count, messages.Sum(m => m.Records.Count));
        Assert.Equal([(ushort)256, (ushort)257], messages[^1].Withdrawn);
    }

    [Fact]
    public async Task ACollectorThatIsDown_LosesNothing_TheNextRunSendsEverything()
    {
        using var dir = new TempDirectory();
        var db = await DemoStore(dir);
        var port = FreeUdpPort(); // nobody listens: loopback answers "port unreachable", and the send fails
        var down = await CliRun.RunAsync("export", "--format", "ipfix", "--to", $"127.0.0.1:{port}", "--db", db);
        Assert.NotEqual(0, down.Code);
        Assert.Contains("stays in the store", down.Error, StringComparison.Ordinal);
        Assert.Single(down.Error.TrimEnd('\n').Split('\n'));
        using (var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM ipfix_progress"));

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port)); // the collector is back
        udp.Client.ReceiveBufferSize = 8 << 20;
        var up = await CliRun.RunAsync("export", "--format", "ipfix", "--to", $"127.0.0.1:{port}", "--db", db);
        Assert.Equal(0, up.Code);
        var reader = new IpfixReader();
        var records = 0;
        while (udp.Available > 0)
        {
            var r = await udp.ReceiveAsync();
            records += reader.Read(r.Buffer).Records.Count;
        }
        Assert.Equal(StoreRecords(db).Count, records);
    }

    [Fact]
    public async Task TheAgent_ExportIpfixEvery_SendsInTheBackground_AndTheServiceCarriesTheOption()
    {
        using var dir = new TempDirectory();
        var db = await DemoStore(dir);
        using var listener = new Listener();
        var options = new Configuration.CollectorOptions { DatabasePath = db, ExportIpfix = $"127.0.0.1:{listener.Port}", ExportEvery = "5m" };
        var exporter = new Hosting.PeriodicExporter(Configuration.CollectorSettings.From(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<Hosting.PeriodicExporter>.Instance);
        await exporter.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, exporter.Runs);
        var expected = StoreRecords(db).Count;
        Assert.Equal(expected, (await listener.MessagesAsync(m => m.Sum(x => x.Records.Count) >= expected)).Sum(m => m.Records.Count));

        var install = new Cli.CollectOptionSet(forService: true);
        var command = new System.CommandLine.Command("install");
        foreach (var option in install.All) command.Options.Add(option);
        var given = install.Overrides(command.Parse(["--export-ipfix", "10.0.0.5:4739", "--export-every", "5m"]));
        Assert.Contains("\"ExportIpfix\": \"10.0.0.5:4739\"", Service.ServiceSettings.ToJson(given), StringComparison.Ordinal); // what the service reads
        var bad = Assert.Throws<Failures.MonitorNetworkException>(() => Configuration.CollectorSettings.From(new Configuration.CollectorOptions { ExportIpfix = "x:1" }));
        Assert.Equal(Failures.FailureKind.Usage, bad.Kind); // --export-ipfix without --export-every
    }

    [Theory]
    [InlineData("ipfix", "--to", "nowhere")]
    [InlineData("ipfix", "--to", "127.0.0.1:99999")]
    public async Task BadTarget_IsUsage(string format, string option, string value)
    {
        var run = await CliRun.RunAsync("export", "--format", format, option, value, "--db", "/nonexistent.db");
        Assert.Equal(2, run.Code);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
    }
}
