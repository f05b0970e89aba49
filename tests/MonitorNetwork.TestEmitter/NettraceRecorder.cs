// Records a .nettrace file of the test emitter: an EventPipe session on this process, its stream copied to a
// file, exactly as `dotnet-trace collect` would write it.
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Emitter;

/// <summary>Writes .nettrace recordings of <see cref="TestEmitter"/> (and <see cref="DnsClientEmitter"/>).</summary>
public static class NettraceRecorder
{
    /// <summary>Records <paramref name="events"/>, then one event the contract does not know, into <paramref name="path"/>.</summary>
    public static Task RecordAsync(string path, IEnumerable<MonitorEvent> events, int bufferMB = 256) =>
        RecordAsync(path, () =>
        {
            foreach (var e in events) TestEmitter.Log.Send(e);
            TestEmitter.Log.SomethingNew(1); // one event of ours that the contract does not know
        }, bufferMB);

    /// <summary>Records whatever <paramref name="emit"/> sends through the emitters into <paramref name="path"/>.</summary>
    public static async Task RecordAsync(string path, Action emit, int bufferMB = 256)
    {
        var client = new DiagnosticsClient(Environment.ProcessId);
        var providers = new[]
        {
            new EventPipeProvider("MonitorNetwork", EventLevel.Verbose, 0x7),
            new EventPipeProvider("Microsoft-Windows-DNS-Client", EventLevel.Informational),
        };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: bufferMB, CancellationToken.None);
        await using var file = File.Create(path);
        var copy = session.EventStream.CopyToAsync(file);
        emit();
        await session.StopAsync(CancellationToken.None);
        await copy;
    }
}
