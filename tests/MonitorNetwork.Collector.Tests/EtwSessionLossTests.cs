// ETW's loss counters as ControlTrace(EVENT_TRACE_CONTROL_QUERY) returns them in EVENT_TRACE_PROPERTIES. The offsets
// were checked against the SDK's evntrace.h (x64 and ARM64); here the reader is held to them with a structure laid
// out field by field as Windows fills it, and loss.sql and stats show buffers lost beside events lost.
using System.Buffers.Binary;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class EtwSessionLossTests
{
    [Fact]
    public void FromProperties_ReadsEventsLostAndBothBufferLosses_AtEvntraceOffsets()
    {
        var p = new byte[EtwSessionLoss.Size + 64];
        void U32(int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(at), v);
        U32(0, (uint)p.Length);  // Wnode.BufferSize
        U32(48, 64);             // BufferSize (KB)
        U32(80, 20);             // NumberOfBuffers
        U32(84, 3);              // FreeBuffers
        U32(88, 1234);           // EventsLost
        U32(92, 99);             // BuffersWritten
        U32(96, 5);              // LogBuffersLost
        U32(100, 7);             // RealTimeBuffersLost
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(104), 0x1F00); // LoggerThreadId (a HANDLE)
        U32(116, EtwSessionLoss.Size); // LoggerNameOffset
        Assert.Equal(new EtwSessionLoss(1234, 12), EtwSessionLoss.FromProperties(p));
        U32(88, uint.MaxValue); // a ULONG: never read as negative
        Assert.Equal(uint.MaxValue, EtwSessionLoss.FromProperties(p).EventsLost);
        Assert.Throws<ArgumentException>(() => EtwSessionLoss.FromProperties(p.AsSpan(0, 100)));
    }

    [Fact]
    public async Task BuffersLost_ShownApartInTheLossQueryAndStats()
    {
        using var dir = new TempDirectory();
        var db = dir.File("b.db");
        using (var c = StoreDatabase.OpenForWriting(db, TimeSpan.FromSeconds(1)))
        {
            var id = SessionStore.Begin(c, "etw-driver", "MonitorNetwork", DateTimeOffset.UtcNow);
            SessionStore.Finish(c, id, Events.SessionStatus.Completed, new CounterSnapshot(10, 10, 0, 4, 0, 0, BuffersLost: 3), DateTimeOffset.UtcNow);
        }
        var (code, output, _) = await CliRun.RunAsync("query", "loss", "--db", db, "--format", "csv");
        Assert.Equal(0, code);
        var lines = output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        Assert.Equal("4", row[Array.IndexOf(header, "lost")]);
        Assert.Equal("3", row[Array.IndexOf(header, "buffers_lost")]);
        var (_, stats, _) = await CliRun.RunAsync("stats", "--db", db);
        Assert.Contains("lost 4 (and 3 whole ETW buffers)", stats, StringComparison.Ordinal);
    }
}
