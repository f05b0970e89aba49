// The clock fields of a .nettrace file's Trace object, read before TraceEvent sees the file: TraceEvent divides every
// timestamp by the recorded QPC frequency, so a frequency of 0 (or one no machine has) turns every time into an
// overflow and the events vanish from every time window. Layout (EventPipe's "Nettrace" format, FastSerialization):
// "Nettrace", a length-prefixed "!FastSerialization.1", then the Trace object: begin-object tags, its type's
// version, minimum reader version and name "Trace", an end-object tag, and the fields SYSTEMTIME sync time
// (16 bytes), sync QPC (8) and QPC frequency (8), little-endian.
using System.Buffers.Binary;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Reads the recorded clock frequency of a .nettrace file.</summary>
public static class NettraceHeader
{
    /// <summary>The lowest and highest QPC frequencies a real clock has (Windows: 10 MHz; Linux: 1 GHz; TSCs: a few GHz).</summary>
    public const long MinPlausibleFrequency = 1_000, MaxPlausibleFrequency = 100_000_000_000;

    /// <summary>The recorded QPC frequency, or null when the header is not laid out as expected (newer formats).</summary>
    public static long? ReadQpcFrequency(Stream stream)
    {
        var start = stream.Position;
        try
        {
            Span<byte> head = stackalloc byte[HeadBytes];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..read];
            return FrequencyOffset(head) is { } at ? BinaryPrimitives.ReadInt64LittleEndian(head[at..]) : null;
        }
        finally
        {
            stream.Position = start;
        }
    }

    /// <summary>How many bytes from the file's start hold the Trace object's clock fields.</summary>
    public const int HeadBytes = 128;

    /// <summary>Where the QPC frequency lies in a file's first <see cref="HeadBytes"/>, or null when not laid out as expected.</summary>
    public static int? FrequencyOffset(ReadOnlySpan<byte> head)
    {
        var name = head.IndexOf("Trace"u8);
        // "Trace" is preceded by its int32 length 5 and followed by the end-object tag 6.
        if (name < 4 || BinaryPrimitives.ReadInt32LittleEndian(head[(name - 4)..]) != 5 || name + 6 + 32 > head.Length || head[name + 5] != 6)
            return null;
        return name + 6 + 16 + 8;
    }

    /// <summary>Whether a frequency is one a real clock has.</summary>
    public static bool Plausible(long frequency) => frequency is >= MinPlausibleFrequency and <= MaxPlausibleFrequency;
}
