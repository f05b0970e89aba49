// Which lake a store exports to, by the lake's own identity rather than by how its path is spelled: "fleet/" and
// "fleet" (or a symlink to it) are one lake, and a moved lake is still the same lake. The identity lives in the lake,
// in _monitornetwork_lake.json (a leading underscore: Spark and DuckDB skip it, and no *.parquet glob matches it),
// which also lists the stores that export there. The store keeps the lake's id and this store's own id in
// export_lake. A store exports to one lake; --restart starts over only into a lake that holds none of its rows, so
// that no step this command suggests can put a row into a lake twice.
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Export;

/// <summary>The lake manifest, as stored in the lake.</summary>
public sealed class LakeManifest
{
    /// <summary>The manifest's name in the lake's root.</summary>
    public const string FileName = "_monitornetwork_lake.json";

    /// <summary>The lake's identity.</summary>
    [JsonPropertyName("lake_id")] public string LakeId { get; set; } = "";

    /// <summary>When the lake was created (UTC, ISO-8601).</summary>
    [JsonPropertyName("created_utc")] public string CreatedUtc { get; set; } = "";

    /// <summary>The stores that export here: their ids and host partitions.</summary>
    [JsonPropertyName("stores")] public List<LakeStore> Stores { get; set; } = [];
}

/// <summary>One store that exports into a lake.</summary>
public sealed class LakeStore
{
    /// <summary>The store's id (export_lake.store_id).</summary>
    [JsonPropertyName("store_id")] public string StoreId { get; set; } = "";

    /// <summary>The host partition it writes.</summary>
    [JsonPropertyName("host")] public string Host { get; set; } = "";
}

/// <summary>Resolves and records which lake a store exports to.</summary>
public static class LakeIdentity
{
    /// <summary>A lake directory's canonical form: full, without a trailing separator, its symlinks resolved.</summary>
    public static string Canonical(string directory) =>
        Path.TrimEndingDirectorySeparator(Output.OutputFile.Canonical(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))));

    /// <summary>The lake's manifest, or null when the directory is not a lake yet.</summary>
    public static LakeManifest? Read(string lake)
    {
        var path = Path.Combine(lake, LakeManifest.FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<LakeManifest>(File.ReadAllText(path)) is { LakeId.Length: > 0 } m ? m
                : throw new MonitorNetworkException(FailureKind.Usage, $"{path} is not a lake manifest (no lake_id)");
        }
        catch (JsonException ex)
        {
            throw new MonitorNetworkException(FailureKind.Usage, $"{path} is not a lake manifest: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    private static void Write(string lake, LakeManifest manifest) =>
        Output.OutputFile.WriteText(Path.Combine(lake, LakeManifest.FileName), "--out",
            JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>
    /// Checks that <paramref name="lake"/> (canonical) is the lake this store exports to, or makes it so for a store
    /// that exports for the first time (or with <paramref name="restart"/>). Returns the store's id.
    /// </summary>
    public static string Bind(SqliteConnection store, string lake, string host, bool restart)
    {
        var manifest = Read(lake);
        (string LakeId, string Target, string StoreId)? bound = null;
        foreach (var row in store.Query<(string LakeId, string Target, string StoreId)>("SELECT lake_id, target, store_id FROM export_lake")) bound = row;
        // A store exported by version 10 knew its lake by the path alone.
        var legacyTarget = store.ExecuteScalar<string?>("SELECT target FROM export_watermark LIMIT 1");
        var storeId = bound?.StoreId ?? Guid.NewGuid().ToString("D");

        if (restart)
        {
            if (manifest is not null && manifest.Stores.Any(s => s.StoreId == storeId))
                throw new MonitorNetworkException(FailureKind.Usage,
                    $"the lake at {lake} already holds this store's rows: --restart there would write them twice. Give --restart a directory that is not a lake of this store");
        }
        else if (bound is { } b)
        {
            if (manifest?.LakeId != b.LakeId)
                throw new MonitorNetworkException(FailureKind.Usage, manifest is null
                    ? $"this store exports to the lake at {b.Target} (lake {b.LakeId}), and {lake} is not that lake; export there (a moved lake is found by its {LakeManifest.FileName})"
                    : $"this store exports to the lake at {b.Target} (lake {b.LakeId}), and {lake} is another lake ({manifest.LakeId}); export there");
        }
        else if (legacyTarget is not null && Canonical(legacyTarget) != lake)
        {
            throw new MonitorNetworkException(FailureKind.Usage, $"this store exports to the lake at {Canonical(legacyTarget)}, and {lake} is another directory; export there");
        }

        manifest ??= new LakeManifest { LakeId = Guid.NewGuid().ToString("D"), CreatedUtc = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        if (!manifest.Stores.Any(s => s.StoreId == storeId))
        {
            manifest.Stores.Add(new LakeStore { StoreId = storeId, Host = host });
            Write(lake, manifest);
        }
        using var tx = store.BeginTransaction();
        store.Execute("DELETE FROM export_lake", transaction: tx);
        store.Execute("INSERT INTO export_lake(lake_id, target, store_id) VALUES (@lakeId, @lake, @storeId)", new { lakeId = manifest.LakeId, lake, storeId }, tx);
        tx.Commit();
        return storeId;
    }
}
