// The service's settings: the collect options given to `service install`, kept in ProgramData beside the store, in
// the folder only Administrators and SYSTEM may read or write (created so by whoever comes first). They used to live
// on the command line and in the tool's own appsettings.json, which `dotnet tool update` replaces; the service now
// runs `collect --settings FILE`, and an install given no options keeps the file an earlier install wrote, so an
// update (uninstall, update the tool, install) keeps them.
using System.Text.Json.Nodes;

namespace MonitorNetwork.Collector.Service;

/// <summary>The settings file `service install` writes and the service reads.</summary>
/// <param name="path">The file.</param>
/// <param name="overrides">The configuration the install's options set ("Collector:DatabasePath" = ...); empty keeps the file.</param>
public sealed class ServiceSettings(string path, IReadOnlyDictionary<string, string?> overrides)
{
    /// <summary>%ProgramData%\MonitorNetwork\service-settings.json.</summary>
    public static string DefaultPath => System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "MonitorNetwork", "service-settings.json");

    /// <summary>The file.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Whether <see cref="Place"/> kept an earlier install's file (no options were given).</summary>
    public bool Kept { get; private set; }

    /// <summary>The JSON of <paramref name="settings"/>: "Collector:Keywords" becomes { "Collector": { "Keywords": ... } }.</summary>
    public static string ToJson(IReadOnlyDictionary<string, string?> settings)
    {
        var root = new JsonObject();
        foreach (var (key, value) in settings.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var parts = key.Split(':');
            var node = root;
            foreach (var part in parts[..^1])
                node = node[part] as JsonObject ?? (JsonObject)(node[part] = new JsonObject());
            node[parts[^1]] = value;
        }
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine;
    }

    /// <summary>Writes the file (or keeps an earlier one when no options were given); returns the undo.</summary>
    public Action Place()
    {
        var previous = File.Exists(Path) ? File.ReadAllText(Path) : null;
        if (overrides.Count == 0 && previous is not null)
        {
            Kept = true;
            return () => { };
        }
        Store.StorePaths.EnsurePrivateDirectory(Path);
        Output.OutputFile.WriteText(Path, "service settings", ToJson(overrides));
        return () =>
        {
            if (previous is null) File.Delete(Path);
            else Output.OutputFile.WriteText(Path, "service settings", previous);
        };
    }

    /// <summary>Removes the file (uninstall).</summary>
    public void Remove()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }
}
