// The numbered migrations from schema/migrations, embedded in the binary. PRAGMA user_version records
// how many have been applied; application_id marks the file as ours.
using System.Reflection;
using System.Text.RegularExpressions;

namespace MonitorNetwork.Collector.Store;

/// <summary>One schema migration: its number and its SQL.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>The embedded migrations, in order.</summary>
public static partial class Migrations
{
    /// <summary>PRAGMA application_id of a MonitorNetwork database: "MNET".</summary>
    public const int ApplicationId = 0x4D4E4554;

    private static readonly Lazy<IReadOnlyList<Migration>> s_all = new(Load);

    /// <summary>Every migration, ordered by version, numbered 1..N without gaps.</summary>
    public static IReadOnlyList<Migration> All => s_all.Value;

    /// <summary>The schema version this build writes.</summary>
    public static int Latest => All.Count;

    [GeneratedRegex(@"^migrations/(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();

    private static IReadOnlyList<Migration> Load()
    {
        var assembly = typeof(Migrations).Assembly;
        var list = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(name);
            if (!match.Success) continue;
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            list.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Version != i + 1)
                throw new InvalidOperationException($"migration numbers must run 1..N without gaps; found {list[i].Version} at position {i + 1}");
        }
        return list;
    }
}
