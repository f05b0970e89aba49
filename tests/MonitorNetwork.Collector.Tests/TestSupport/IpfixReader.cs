// A small IPFIX reader written for the tests from RFC 7011 (sections 3 and 7), not from our encoder: it learns
// templates from Template Sets (enterprise bit, Private Enterprise Number, variable-length fields) and decodes Data
// Sets by them, so a field our encoder put in the wrong place or with the wrong length shows up as a wrong value.
using System.Buffers.Binary;
using System.Text;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal sealed record IpfixField(ushort Id, ushort Length, uint Enterprise);

internal sealed record IpfixMessage(ushort Version, ushort Length, uint ExportTime, uint Sequence, uint Domain,
    IReadOnlyList<(ushort TemplateId, IReadOnlyList<IpfixField> Fields)> Templates, IReadOnlyList<ushort> Withdrawn,
    IReadOnlyList<Dictionary<(uint Enterprise, ushort Id), byte[]>> Records);

internal sealed class IpfixReader
{
    private readonly Dictionary<ushort, IReadOnlyList<IpfixField>> _templates = [];

    public IpfixMessage Read(ReadOnlySpan<byte> m)
    {
        var version = BinaryPrimitives.ReadUInt16BigEndian(m);
        var length = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        if (length != m.Length) throw new InvalidDataException($"message length {length}, datagram {m.Length}");
        var templates = new List<(ushort, IReadOnlyList<IpfixField>)>();
        var withdrawn = new List<ushort>();
        var records = new List<Dictionary<(uint, ushort), byte[]>>();
        var offset = 16;
        while (offset < length)
        {
            var setId = BinaryPrimitives.ReadUInt16BigEndian(m[offset..]);
            var setLength = BinaryPrimitives.ReadUInt16BigEndian(m[(offset + 2)..]);
            var set = m.Slice(offset + 4, setLength - 4);
            if (setId == 2)
            {
                var p = 0;
                while (p + 4 <= set.Length)
                {
                    var id = BinaryPrimitives.ReadUInt16BigEndian(set[p..]);
                    var count = BinaryPrimitives.ReadUInt16BigEndian(set[(p + 2)..]);
                    p += 4;
                    if (count == 0)
                    {
                        withdrawn.Add(id);
                        _templates.Remove(id);
                        continue;
                    }
                    var fields = new List<IpfixField>();
                    for (var i = 0; i < count; i++)
                    {
                        var element = BinaryPrimitives.ReadUInt16BigEndian(set[p..]);
                        var fieldLength = BinaryPrimitives.ReadUInt16BigEndian(set[(p + 2)..]);
                        p += 4;
                        uint enterprise = 0;
                        if ((element & 0x8000) != 0)
                        {
                            enterprise = BinaryPrimitives.ReadUInt32BigEndian(set[p..]);
                            p += 4;
                            element &= 0x7FFF;
                        }
                        fields.Add(new IpfixField(element, fieldLength, enterprise));
                    }
                    _templates[id] = fields;
                    templates.Add((id, fields));
                }
            }
            else if (setId >= 256)
            {
                var fields = _templates[setId];
                var p = 0;
                var minimum = fields.Sum(f => f.Length == 65535 ? 1 : f.Length);
                while (set.Length - p >= minimum)
                {
                    var record = new Dictionary<(uint, ushort), byte[]>();
                    foreach (var f in fields)
                    {
                        var n = (int)f.Length;
                        if (f.Length == 65535)
                        {
                            n = set[p++];
                            if (n == 255)
                            {
                                n = BinaryPrimitives.ReadUInt16BigEndian(set[p..]);
                                p += 2;
                            }
                        }
                        record[(f.Enterprise, f.Id)] = set.Slice(p, n).ToArray();
                        p += n;
                    }
                    records.Add(record);
                }
            }
            offset += setLength;
        }
        return new IpfixMessage(version, length, BinaryPrimitives.ReadUInt32BigEndian(m[4..]), BinaryPrimitives.ReadUInt32BigEndian(m[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(m[12..]), templates, withdrawn, records);
    }

    public static ulong Unsigned(byte[] value) => value.Aggregate(0UL, (a, b) => (a << 8) | b);

    public static string Text(byte[] value) => Encoding.UTF8.GetString(value);
}
