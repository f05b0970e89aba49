// A JSON array with one object per row; numbers stay numbers, NULL is null, blobs are base64.
using System.Text.Json;
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Output;

/// <summary>Writes results as a JSON array of objects.</summary>
public sealed class JsonResultWriter : IResultWriter
{
    /// <inheritdoc/>
    public void Write(QueryResult result, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    json.WritePropertyName(result.Columns[i]);
                    switch (row[i])
                    {
                        case null: json.WriteNullValue(); break;
                        case long l: json.WriteNumberValue(l); break;
                        case int n: json.WriteNumberValue(n); break;
                        case double d: json.WriteNumberValue(d); break;
                        case byte[] b: json.WriteBase64StringValue(b); break;
                        case var other: json.WriteStringValue(ResultWriters.CellText(other)); break;
                    }
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
