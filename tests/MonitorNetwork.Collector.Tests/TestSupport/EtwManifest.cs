// Reads the real instrumentation manifests in ../shared/manifests (Windows 10 build 18990): events by id and
// version, and each template's fields with their inType. A test that needs them skips with one line when absent.
using System.Xml.Linq;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal sealed record ManifestField(string Name, string InType);

internal sealed record ManifestEvent(int Id, int Version, string Keywords, IReadOnlyList<ManifestField> Fields);

internal sealed class EtwManifest
{
    private static readonly XNamespace s_ns = "http://schemas.microsoft.com/win/2004/08/events";

    private EtwManifest(IReadOnlyList<ManifestEvent> events, IReadOnlyDictionary<string, ulong> keywords)
    {
        Events = events;
        KeywordMasks = keywords;
    }

    public IReadOnlyList<ManifestEvent> Events { get; }
    public IReadOnlyDictionary<string, ulong> KeywordMasks { get; }

    public ManifestEvent? Event(int id, int version = 0) => Events.SingleOrDefault(e => e.Id == id && e.Version == version);

    /// <summary>The manifest of <paramref name="provider"/>, or a skip of the calling test when ../shared is absent.</summary>
    public static EtwManifest Load(string provider)
    {
        var path = Path.Combine(RepoFiles.Root, "..", "shared", "manifests", provider + ".xml");
        if (!File.Exists(path)) Assert.Skip($"no ../shared/manifests/{provider}.xml here: the manifest check needs the shared reference data");
        var doc = XDocument.Load(path);
        var templates = doc.Descendants(s_ns + "template").ToDictionary(
            t => (string)t.Attribute("tid")!,
            t => (IReadOnlyList<ManifestField>)t.Elements(s_ns + "data").Select(d => new ManifestField((string)d.Attribute("name")!, ((string)d.Attribute("inType")!).Replace("win:", "", StringComparison.Ordinal))).ToList());
        var events = doc.Descendants(s_ns + "event").Select(e => new ManifestEvent(
            (int)e.Attribute("value")!, (int?)e.Attribute("version") ?? 0, (string?)e.Attribute("keywords") ?? "",
            e.Attribute("template") is { } t && templates.TryGetValue(t.Value, out var fields) ? fields : [])).ToList();
        var keywords = doc.Descendants(s_ns + "keyword").ToDictionary(k => (string)k.Attribute("name")!, k => Convert.ToUInt64((string)k.Attribute("mask")!, 16));
        return new EtwManifest(events, keywords);
    }
}
