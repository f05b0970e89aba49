// A JSON array with one object per row, written row by row. Numbers stay numbers, FlowIds too (an unsigned 64-bit
// integer: JavaScript's Number holds only 53 bits exactly, so consumers in JavaScript must parse it as BigInt or
// read it from CSV). NULL is null, blobs are lowercase hex as in CSV and tables, and text is UTF-8 without \u
// escapes for printable characters (JSON's own escapes for quotes, backslashes and control characters remain).
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as a JSON array of objects.</summary>
public sealed class JsonResultWriter(TextWriter output) : IResultWriter
{
    private static readonly JsonWriterOptions s_options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private IReadOnlyList<string> _columns = [];
    private bool _any;

    /// <inheritdoc/>
    public void Begin(IReadOnlyList<string> columns)
    {
        _columns = columns;
        output.Write('[');
    }

    /// <inheritdoc/>
    public void Row(object?[] values)
    {
        _buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_buffer, s_options))
        {
            json.WriteStartObject();
            for (var i = 0; i < _columns.Count; i++)
            {
                json.WritePropertyName(_columns[i]);
                switch (values[i])
                {
                    case null: json.WriteNullValue(); break;
                    case long l: json.WriteNumberValue(l); break;
                    case int n: json.WriteNumberValue(n); break;
                    case double d: json.WriteNumberValue(d); break;
                    case string s when _columns[i] == "flow_id" && ulong.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id):
                        json.WriteNumberValue(id); break;
                    case var other: json.WriteStringValue(ResultWriters.CellText(other)); break;
                }
            }
            json.WriteEndObject();
        }
        output.Write(_any ? ",\n" : "\n");
        output.Write(System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _any = true;
    }

    /// <inheritdoc/>
    public void End()
    {
        output.WriteLine(_any ? "\n]" : "]");
        output.Flush();
    }
}
