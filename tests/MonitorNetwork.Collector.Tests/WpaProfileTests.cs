// The WPA profile, checked without WPA: its shape against ../shared/wpa/GENERIC-EVENTS.md (the facts read from
// profiles WPA exported), every "Field N" column against the N-th field of schema/events.json, and the committed
// file against what recording/make-wpa-profile.py writes from the contract today. Only WPA on Windows proves that
// it opens (README, Windows checklist).
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public partial class WpaProfileTests
{
    private static readonly XNamespace s_ns = "http://tempuri.org/SerializableElement.xsd";
    private static readonly XNamespace s_xsi = "http://www.w3.org/2001/XMLSchema-instance";
    private const string GenericEventsGraph = "04f69f98-176e-4d1c-b44e-97f734996ab8";
    private static readonly string s_path = RepoFiles.PathOf("recording", "MonitorNetwork.wpaProfile");

    private static XDocument Profile() => XDocument.Load(s_path);

    private static List<XElement> Presets() => Profile().Descendants(s_ns + "Preset").ToList();

    /// <summary>Event name → its fields in contract order.</summary>
    private static Dictionary<string, string[]> ContractFields()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoFiles.PathOf("schema", "events.json")));
        return doc.RootElement.GetProperty("events").EnumerateArray().ToDictionary(
            e => e.GetProperty("name").GetString()!,
            e => e.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray());
    }

    /// <summary>The column table of the facts file: name → GUID, or a skip when ../shared is absent.</summary>
    private static Dictionary<string, string> FactColumns()
    {
        var path = Path.Combine(RepoFiles.Root, "..", "shared", "wpa", "GENERIC-EVENTS.md");
        if (!File.Exists(path)) Assert.Skip("no ../shared/wpa/GENERIC-EVENTS.md here: the WPA facts check needs the shared reference data");
        var columns = new Dictionary<string, string>();
        foreach (Match m in FactRow().Matches(File.ReadAllText(path))) columns[m.Groups[1].Value.Trim()] = m.Groups[2].Value;
        Assert.True(columns.Count >= 20, "the facts file's column table was not found");
        return columns;
    }

    [GeneratedRegex(@"^\| ([A-Za-z0-9 ]+?) \| ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", RegexOptions.Multiline)]
    private static partial Regex FactRow();

    /// <summary>The EventSource/TraceLogging name hash, written here independently of the generator.</summary>
    private static string NameHash(string name)
    {
        byte[] ns = [0x48, 0x2C, 0x2D, 0xB2, 0xC3, 0x90, 0x47, 0xC8, 0x87, 0xF8, 0x1A, 0x15, 0xBF, 0xC1, 0x30, 0xFB];
        var hash = SHA1.HashData([.. ns, .. Encoding.BigEndianUnicode.GetBytes(name)]);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50);
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    [Fact]
    public void Profile_IsWellFormed_WithWpasContainer()
    {
        var root = Profile().Root!;
        Assert.Equal(s_ns + "WpaProfileContainer", root.Name);
        Assert.Equal("2", root.Attribute("Version")!.Value);
        var content = root.Element(s_ns + "Content")!;
        Assert.Equal("WpaProfile2", content.Attribute(s_xsi + "type")!.Value);
        Assert.NotNull(content.Element(s_ns + "Sessions")!.Element(s_ns + "Session")!.Element(s_ns + "FileReferences"));
        var view = content.Element(s_ns + "Views")!.Element(s_ns + "View")!;
        Assert.Equal("0", view.Element(s_ns + "SessionIndices")!.Element(s_ns + "SessionIndex")!.Value);
    }

    [Fact]
    public void EveryGraph_IsGenericEvents_WithTheFourPresets()
    {
        var graphs = Profile().Descendants(s_ns + "Graph").ToList();
        Assert.Equal(4, graphs.Count);
        Assert.All(graphs, g => Assert.Equal(GenericEventsGraph, g.Attribute("Guid")!.Value));
        Assert.Equal(GenericEventsGraph, Profile().Descendants(s_ns + "GraphSchema").Single().Attribute("Guid")!.Value);
        var names = graphs.Select(g => g.Element(s_ns + "Preset")!.Attribute("Name")!.Value).ToArray();
        Assert.Equal(["MonitorNetwork: Flows by process", "MonitorNetwork: Bytes by remote", "MonitorNetwork: Timeline", "MonitorNetwork: Health and loss"], names);
        // The same presets kept by name, so the table's preset list offers them.
        var persisted = Profile().Descendants(s_ns + "PersistedPresets").Single().Elements(s_ns + "Preset").Select(p => p.Attribute("Name")!.Value);
        Assert.Equal(names, persisted);
    }

    [Fact]
    public void EveryPreset_FiltersOnOurProvider()
    {
        Assert.All(Presets(), p =>
        {
            var filter = p.Attribute("InitialFilterQuery")!.Value;
            Assert.StartsWith($"[Provider Name]:=\"{ProviderContract.ProviderName}\"", filter);
            Assert.Equal("true", p.Attribute("InitialFilterShouldKeep")!.Value);
            // Every column the filter names is in the preset.
            var columns = p.Descendants(s_ns + "Column").Select(c => c.Attribute("Name")!.Value).ToHashSet();
            foreach (Match m in Regex.Matches(filter, @"\[([^\]]+)\]")) Assert.Contains(m.Groups[1].Value, columns);
        });
    }

    [Fact]
    public void EveryColumnGuid_IsOneTheFactsList_OrTheirNameHashRule()
    {
        var facts = FactColumns();
        // The rule the generator uses for Field 8 on: every name-hashed GUID of the facts file is the name hash of its
        // column's name (Field 1-7, Thread Name, Thread Activity Tag, Annotation).
        var hashed = facts.Where(f => f.Value[14] == '5').ToList();
        Assert.True(hashed.Count >= 10);
        Assert.All(hashed, f => Assert.Equal(f.Value, NameHash(f.Key)));

        var columns = Profile().Descendants(s_ns + "Column").ToList();
        Assert.NotEmpty(columns);
        Assert.All(columns, c =>
        {
            var name = c.Attribute("Name")!.Value;
            var guid = c.Attribute("Guid")!.Value;
            if (facts.TryGetValue(name, out var known)) Assert.Equal(known, guid);
            else
            {
                Assert.Matches(@"^Field ([89]|1[0-9])$", name); // only fields past the facts' seven are derived
                Assert.Equal(NameHash(name), guid);
            }
        });
        Assert.All(Profile().Descendants(s_ns + "MetadataEntry"), m => Assert.Equal(facts[m.Attribute("Name")!.Value], m.Attribute("Guid")!.Value));
    }

    [Fact]
    public void FieldN_IsTheNthFieldOfTheContractEvent()
    {
        var contract = ContractFields();
        var checkedColumns = 0;
        foreach (var column in Profile().Descendants(s_ns + "Column").Where(c => c.Attribute("Name")!.Value.StartsWith("Field ", StringComparison.Ordinal)))
        {
            var n = int.Parse(column.Attribute("Name")!.Value["Field ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var note = column.PreviousNode as XComment;
            Assert.NotNull(note);
            var m = Regex.Match(note.Value, @"^ Field (\d+) = (\w+) \(([^;]+); schema/events\.json\) $");
            Assert.True(m.Success, note.Value);
            Assert.Equal(n, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            foreach (var ev in m.Groups[3].Value.Split(", "))
            {
                Assert.True(contract.ContainsKey(ev), ev);
                Assert.True(contract[ev].Length >= n, $"{ev} has no field {n}");
                Assert.Equal(m.Groups[2].Value, contract[ev][n - 1]);
            }
            checkedColumns++;
        }
        Assert.True(checkedColumns >= 20);
    }

    [Fact]
    public void FlowsByProcess_KeysOnTheFlowsProcessId_AndBytesByRemote_SumsByteFields()
    {
        var contract = ContractFields();
        var byProcess = Presets().First(p => p.Attribute("Name")!.Value == "MonitorNetwork: Flows by process");
        var keys = byProcess.Element(s_ns + "Columns")!.Elements(s_ns + "Column").Take(int.Parse(byProcess.Attribute("KeyColumnCount")!.Value, System.Globalization.CultureInfo.InvariantCulture)).Select(c => c.Attribute("Name")!.Value);
        Assert.Equal([$"Field {Array.IndexOf(contract["FlowEstablished"], "ProcessId") + 1}", "Event Name"], keys);

        var byRemote = Presets().First(p => p.Attribute("Name")!.Value == "MonitorNetwork: Bytes by remote");
        var summed = byRemote.Descendants(s_ns + "Column").Where(c => c.Attribute("AggregationMode")?.Value == "Sum" && c.Attribute("Name")!.Value.StartsWith("Field", StringComparison.Ordinal))
            .Select(c => contract["FlowDeleted"][int.Parse(c.Attribute("Name")!.Value[6..], System.Globalization.CultureInfo.InvariantCulture) - 1]).ToHashSet();
        Assert.Superset(new HashSet<string> { "BytesIn", "BytesOut" }, summed);
    }

    [Fact]
    public void CommittedProfile_IsWhatTheGeneratorWritesFromTheContract()
    {
        var python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        if (python is null) Assert.Skip("needs python3 to run recording/make-wpa-profile.py --check");
        var psi = new ProcessStartInfo(python, [RepoFiles.PathOf("recording", "make-wpa-profile.py"), "--check"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "the committed profile is stale: " + stderr);
    }
}
