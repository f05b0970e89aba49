// `monitornetwork export --format ipfix --to HOST:PORT`: every flow segment not yet sent to that destination, as IPFIX
// (RFC 7011) over UDP (the default: what collectors listen on) or TCP. Segments are the lake's (FlowSegments), kept per
// destination (ipfix_progress), so each destination receives each segment once: a batch of segments is sent, then its
// progress is committed. UDP cannot promise more across a crash: a kill between the send and the commit re-sends that
// one batch (at most BatchSegments segments, two records each), and the IPFIX sequence numbers let a collector see
// the repeat. Templates go first, and over UDP again every 60 s and every 500 messages (RFC 7011 8.4); over TCP they
// are withdrawn at a clean end. UDP is paced at 5,000 datagrams a second (about 7 MB/s), which a local nfcapd takes
// without loss. Segments whose counters went back (a driver restart) carry no delta IPFIX can express and are marked
// sent without records; negative corrections after import --replace stay the lake's.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Store;

namespace MonitorNetwork.Collector.Export.Ipfix;

/// <summary>Where and how to send.</summary>
/// <param name="Host">The collector's host or address.</param>
/// <param name="Port">Its port.</param>
/// <param name="Tcp">TCP (else UDP).</param>
/// <param name="Domain">The observation domain id (header).</param>
/// <param name="LockWait">How long to wait for another export to the same destination.</param>
public sealed record IpfixOptions(string Host, int Port, bool Tcp = false, uint Domain = 0, TimeSpan? LockWait = null)
{
    /// <summary>The destination's name in the store: "udp:HOST:PORT".</summary>
    public string Destination => $"{(Tcp ? "tcp" : "udp")}:{Host}:{Port}";

    /// <summary>Parses HOST:PORT ([v6]:PORT for IPv6).</summary>
    public static (string Host, int Port) ParseTarget(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new MonitorNetworkException(FailureKind.Usage, $"--to: '{text}' is not HOST:PORT (for example 127.0.0.1:4739, or [::1]:4739)");
        return (text[..colon].Trim('[', ']'), port);
    }
}

/// <summary>What one IPFIX run sent.</summary>
public sealed record IpfixResult(long Segments, long Records, long DataMessages, long TemplateMessages, TimeSpan Elapsed)
{
    /// <summary>One line.</summary>
    public string Summary() => $"ipfix: {Segments:N0} segments as {Records:N0} records in {DataMessages:N0} messages (+{TemplateMessages} template messages) in {Elapsed.TotalSeconds:F1} s";
}

/// <summary>Sends a store's flow segments to one IPFIX collector.</summary>
public sealed class IpfixExporter(SqliteConnection connection)
{
    /// <summary>Segments per batch: what a kill between a send and its commit can re-send.</summary>
    public const int BatchSegments = 200;
    /// <summary>UDP pacing.</summary>
    public const int MaxDatagramsPerSecond = 5_000;
    /// <summary>UDP template refresh (RFC 7011 8.4).</summary>
    public static readonly TimeSpan TemplateRefreshInterval = TimeSpan.FromSeconds(60);
    /// <summary>UDP template refresh by count.</summary>
    public const int TemplateRefreshMessages = 500;

    /// <summary>Tests: runs after each batch is sent and before its progress commits.</summary>
    internal Action? AfterSend { get; set; }

    private readonly Dictionary<long, long> _processStart = [];

    /// <summary>Sends what the destination has not had yet.</summary>
    public async Task<IpfixResult> ExportAsync(IpfixOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var destination = options.Destination;
        using var locks = ExportLock.AcquireIpfix(connection.DataSource, destination, options.LockWait ?? ParquetExporter.DefaultLockWait);
        connection.Execute("INSERT OR IGNORE INTO ipfix_destination(destination, sequence, done_below) VALUES (@destination, 0, 0)", new { destination });
        var (sequence, doneBelow) = connection.QuerySingle<(long, long)>("SELECT sequence, done_below FROM ipfix_destination WHERE destination = @destination", new { destination });

        await using var sender = await Sender.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        long templateMessages = 0, dataMessages = 0, records = 0, segmentsSent = 0;
        var sinceTemplates = Stopwatch.StartNew();
        var messagesSinceTemplates = 0;
        async Task SendTemplates()
        {
            await sender.SendAsync(IpfixEncoder.Message(Now(), (uint)sequence, options.Domain, [IpfixEncoder.TemplateSet()]), cancellationToken).ConfigureAwait(false);
            templateMessages++;
            sinceTemplates.Restart();
            messagesSinceTemplates = 0;
        }
        await SendTemplates().ConfigureAwait(false);

        var segments = new FlowSegments(connection, destination) { StartAfter = doneBelow };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new List<(ushort Template, byte[] Record)>();
            var read = await segments.NextAsync(BatchSegments, s =>
            {
                foreach (var r in RecordsOf(s)) batch.Add(r);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
            if (read == 0) break;
            segmentsSent += segments.PendingCount;
            foreach (var message in Pack(batch, ref sequence, options.Domain))
            {
                if (!options.Tcp && (sinceTemplates.Elapsed >= TemplateRefreshInterval || messagesSinceTemplates >= TemplateRefreshMessages))
                    await SendTemplates().ConfigureAwait(false);
                await sender.SendAsync(message, cancellationToken).ConfigureAwait(false);
                dataMessages++;
                messagesSinceTemplates++;
            }
            records += batch.Count;
            AfterSend?.Invoke();
            using (var tx = connection.BeginTransaction())
            {
                segments.Commit(tx);
                connection.Execute("""
                    UPDATE ipfix_destination SET sequence = @sequence, done_below = max(done_below, @done), last_export_us = @now, records_sent = records_sent + @n
                    WHERE destination = @destination
                    """, new { sequence, done = segments.DoneBelow, now = Events.UnixMicros.Now(), n = batch.Count, destination }, tx);
                tx.Commit();
            }
            if (read < BatchSegments) break;
        }
        connection.Execute("UPDATE ipfix_destination SET last_export_us = @now WHERE destination = @destination",
            new { now = Events.UnixMicros.Now(), destination });
        if (options.Tcp) await sender.SendAsync(IpfixEncoder.Message(Now(), (uint)sequence, options.Domain, [IpfixEncoder.TemplateWithdrawal()]), cancellationToken).ConfigureAwait(false);
        return new IpfixResult(segmentsSent, records, dataMessages, templateMessages, clock.Elapsed);
    }

    private static uint Now() => (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Records packed into messages of at most MaxMessageBytes, one data set per template per message.</summary>
    private static List<byte[]> Pack(List<(ushort Template, byte[] Record)> records, ref long sequence, uint domain)
    {
        var messages = new List<byte[]>();
        var current = new List<(ushort Template, byte[] Record)>();
        var templates = new HashSet<ushort>(); // those with a set in the current message
        var size = 16;
        void Flush(ref long seq)
        {
            if (current.Count == 0) return;
            var sets = current.GroupBy(r => r.Template).Select(g => IpfixEncoder.DataSet(g.Key, g.Select(r => r.Record))).ToList();
            messages.Add(IpfixEncoder.Message(Now(), (uint)seq, domain, sets));
            seq += current.Count;
            current.Clear();
            templates.Clear();
            size = 16;
        }
        foreach (var r in records)
        {
            // Each template's set has a 4-byte header; count it once per template present.
            if (size + r.Record.Length + (templates.Contains(r.Template) ? 0 : 4) > IpfixEncoder.MaxMessageBytes) Flush(ref sequence);
            if (templates.Add(r.Template)) size += 4;
            current.Add(r);
            size += r.Record.Length;
        }
        Flush(ref sequence);
        return messages;
    }

    /// <summary>A segment's records: one per direction that moved.</summary>
    private IEnumerable<(ushort, byte[])> RecordsOf(FlowSegment s)
    {
        if (s.IsCorrection || s.LocalAddress is null || s.RemoteAddress is null) yield break;
        if (!NetAddress.TryParseStrict(s.LocalAddress, out var local) || !NetAddress.TryParseStrict(s.RemoteAddress, out var remote)) yield break;
        var v6 = !(local.IsIPv4Mapped && remote.IsIPv4Mapped);
        var localBytes = new byte[16];
        var remoteBytes = new byte[16];
        local.WriteBytes(localBytes);
        remote.WriteBytes(remoteBytes);
        var template = v6 ? IpfixEncoder.TemplateV6 : IpfixEncoder.TemplateV4;
        var path = s.ProcessPath ?? "";
        var app = path.Length == 0 ? "" : path[(path.LastIndexOfAny(['\\', '/']) + 1)..];
        var pid = (uint)(s.Pid ?? 0);
        var origin = (s.FlowStartUs ?? s.SegmentStartUs) / 1000;
        var processStart = ProcessStartMs(s.Pid, s.FlowStartUs ?? s.SegmentStartUs);
        var reason = s.Ended ? (byte)3 : (byte)2;
        var (lp, rp) = ((ushort)(s.LocalPort ?? 0), (ushort)(s.RemotePort ?? 0));
        var protocol = (byte)(s.Protocol ?? 0);
        if (s.PacketsOut > 0 || s.BytesOut > 0)
            yield return (template, IpfixEncoder.Record(new IpfixRecord(v6, localBytes, remoteBytes, lp, rp, protocol, (ulong)Math.Max(0, s.BytesOut), (ulong)Math.Max(0, s.PacketsOut),
                s.SegmentStartUs / 1000, s.SegmentEndUs / 1000, reason, true, app, pid, path, origin, processStart)));
        if (s.PacketsIn > 0 || s.BytesIn > 0)
            yield return (template, IpfixEncoder.Record(new IpfixRecord(v6, remoteBytes, localBytes, rp, lp, protocol, (ulong)Math.Max(0, s.BytesIn), (ulong)Math.Max(0, s.PacketsIn),
                s.SegmentStartUs / 1000, s.SegmentEndUs / 1000, reason, false, app, pid, path, origin, processStart)));
    }

    private long ProcessStartMs(long? pid, long atUs)
    {
        if (pid is not { } p) return 0;
        if (_processStart.TryGetValue(p, out var known)) return known;
        var start = connection.ExecuteScalar<long?>(
            "SELECT start_ts_us FROM process WHERE pid = @p AND start_ts_us <= @atUs ORDER BY start_ts_us DESC LIMIT 1", new { p, atUs }) ?? 0;
        return _processStart[p] = start / 1000;
    }

    /// <summary>The socket: UDP datagrams (paced) or a TCP stream.</summary>
    private sealed class Sender : IAsyncDisposable
    {
        private readonly UdpClient? _udp;
        private readonly TcpClient? _tcp;
        private readonly NetworkStream? _stream;
        private readonly Stopwatch _pace = Stopwatch.StartNew();
        private long _sent;

        private Sender(UdpClient? udp, TcpClient? tcp)
        {
            _udp = udp;
            _tcp = tcp;
            _stream = tcp?.GetStream();
        }

        public static async Task<Sender> ConnectAsync(IpfixOptions o, CancellationToken cancellationToken)
        {
            try
            {
                if (o.Tcp)
                {
                    var tcp = new TcpClient();
                    await tcp.ConnectAsync(o.Host, o.Port, cancellationToken).ConfigureAwait(false);
                    return new Sender(null, tcp);
                }
                var udp = new UdpClient(IPAddress.TryParse(o.Host, out var a) ? a.AddressFamily : AddressFamily.InterNetwork);
                udp.Connect(o.Host, o.Port);
                return new Sender(udp, null);
            }
            catch (SocketException ex)
            {
                throw new MonitorNetworkException(FailureKind.Unexpected, $"--to {o.Host}:{o.Port}: cannot reach the collector ({ex.SocketErrorCode}); nothing was marked sent", ex);
            }
        }

        public async Task SendAsync(byte[] message, CancellationToken cancellationToken)
        {
            try
            {
                await SendOnceAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                var code = ex is SocketException s ? s.SocketErrorCode.ToString() : (ex.InnerException as SocketException)?.SocketErrorCode.ToString() ?? ex.GetType().Name;
                throw new MonitorNetworkException(FailureKind.Unexpected,
                    $"the collector stopped taking messages ({code}): what was not confirmed sent stays in the store and goes next time", ex);
            }
        }

        private async Task SendOnceAsync(byte[] message, CancellationToken cancellationToken)
        {
            if (_stream is not null)
            {
                await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }
            // Pace: the n-th datagram goes no earlier than n / rate seconds after the first.
            var due = TimeSpan.FromSeconds((double)_sent / MaxDatagramsPerSecond);
            if (_pace.Elapsed < due) await Task.Delay(due - _pace.Elapsed, cancellationToken).ConfigureAwait(false);
            await _udp!.SendAsync(message, cancellationToken).ConfigureAwait(false);
            _sent++;
        }

        public async ValueTask DisposeAsync()
        {
            if (_stream is not null)
            {
                await _stream.FlushAsync().ConfigureAwait(false);
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
            _tcp?.Dispose();
            _udp?.Dispose();
        }
    }
}
