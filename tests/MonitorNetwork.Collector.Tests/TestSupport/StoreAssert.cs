// Compares what a run stored with the events that were sent, row by row, reading SQLite directly.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class StoreAssert
{
    private sealed record FlowRow(long flow_id, long? pid, string? process_path, long? direction, long? protocol, string? local_address,
        long? local_port, string? remote_address, long? remote_port, long? start_ts_us, long? end_ts_us,
        long? packets_in, long? bytes_in, long? packets_out, long? bytes_out);

    private sealed record PacketRow(long flow_id, long pid, long direction, long protocol, string local_address, long local_port,
        string remote_address, long remote_port, long bytes, long ts_us);

    public static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        return c;
    }

    /// <summary>Every sent event is stored exactly once with the values sent, and nothing else is stored.</summary>
    public static void MatchesSent(string databasePath, IReadOnlyList<MonitorEvent> sent, long minTsUs, long maxTsUs)
    {
        using var db = Open(databasePath);
        var flows = db.Query<FlowRow>("SELECT flow_id, pid, process_path, direction, protocol, local_address, local_port, remote_address, remote_port, start_ts_us, end_ts_us, packets_in, bytes_in, packets_out, bytes_out FROM flow ORDER BY flow_key").ToList();
        var established = sent.OfType<FlowEstablishedEvent>().ToList();
        var deleted = sent.OfType<FlowDeletedEvent>().ToDictionary(d => d.FlowId);
        var orphanDeletes = deleted.Values.Where(d => established.All(f => f.FlowId != d.FlowId)).ToList();
        Assert.Equal(established.Count + orphanDeletes.Count, flows.Count);

        var byId = flows.ToDictionary(f => unchecked((ulong)f.flow_id));
        foreach (var f in established)
        {
            var row = byId[f.FlowId];
            Assert.Equal(f.ProcessId, (uint)row.pid!.Value);
            Assert.Equal(f.ProcessPath, row.process_path);
            Assert.Equal((long)f.Direction, row.direction);
            Assert.Equal(f.Protocol, (byte)row.protocol!.Value);
            Assert.Equal(f.LocalAddress.ToString(), row.local_address);
            Assert.Equal(f.LocalPort, (ushort)row.local_port!.Value);
            Assert.Equal(f.RemoteAddress.ToString(), row.remote_address);
            Assert.Equal(f.RemotePort, (ushort)row.remote_port!.Value);
            Assert.InRange(row.start_ts_us!.Value, minTsUs, maxTsUs);
            var d = deleted[f.FlowId];
            Assert.Equal([d.PacketsIn, d.BytesIn, d.PacketsOut, d.BytesOut],
                new[] { row.packets_in, row.bytes_in, row.packets_out, row.bytes_out }.Select(v => (ulong)v!.Value).ToArray());
            Assert.InRange(row.end_ts_us!.Value, row.start_ts_us!.Value, maxTsUs);
        }
        foreach (var d in orphanDeletes)
        {
            var row = byId[d.FlowId];
            // Contract version 2 names the flow in its FlowDeleted; version 1 left it to nobody.
            Assert.Equal(d.Identity?.ProcessId, (uint?)row.pid);
            Assert.Equal(d.Identity?.RemoteAddress.ToString(), row.remote_address);
            Assert.Equal(d.Identity?.RemotePort, (ushort?)row.remote_port);
            Assert.Null(row.start_ts_us);
            Assert.Equal((long)d.BytesOut, row.bytes_out);
        }

        var packets = db.Query<PacketRow>("""
            SELECT s.flow_id, s.pid, p.direction, s.protocol, s.local_address, s.local_port, s.remote_address, s.remote_port, p.bytes, p.ts_us
            FROM packet p JOIN packet_stream s USING (stream_id) ORDER BY p.rowid
            """).ToList();
        var sentPackets = sent.OfType<PacketEvent>().ToList();
        Assert.Equal(sentPackets.Count, packets.Count);
        for (var i = 0; i < packets.Count; i++)
        {
            var (p, r) = (sentPackets[i], packets[i]);
            Assert.Equal(p.FlowId, unchecked((ulong)r.flow_id));
            Assert.Equal(p.ProcessId, (uint)r.pid);
            Assert.Equal((long)p.Direction, r.direction);
            Assert.Equal(p.Protocol, (byte)r.protocol);
            Assert.Equal(p.LocalAddress.ToString(), r.local_address);
            Assert.Equal(p.LocalPort, (ushort)r.local_port);
            Assert.Equal(p.RemoteAddress.ToString(), r.remote_address);
            Assert.Equal(p.RemotePort, (ushort)r.remote_port);
            Assert.Equal(p.Bytes, (uint)r.bytes);
            Assert.InRange(r.ts_us, minTsUs, maxTsUs);
        }

        var health = db.Query<(string event_name, string fields_json)>("SELECT event_name, fields_json FROM health_event ORDER BY rowid").ToList();
        var sentHealth = sent.OfType<HealthEvent>().ToList();
        Assert.Equal(sentHealth.Select(h => h.Name), health.Select(h => h.event_name));
        for (var i = 0; i < health.Count; i++)
        {
            var stored = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, ulong>>(health[i].fields_json)!;
            Assert.Equal(sentHealth[i].Fields.ToDictionary(f => f.Key, f => f.Value), stored);
        }
    }
}
