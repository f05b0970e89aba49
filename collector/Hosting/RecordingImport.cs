// Importing recordings: the reader for each file, the refusal of a recording the store has already (or its
// replacement, with --replace), and the run's settings. The command line and what it prints are ImportCommand's.
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Sources;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>What `import` does before and around each file's run.</summary>
public static class RecordingImport
{
    /// <summary>
    /// A file can wait for the writer, so a deep queue buys nothing but memory: two batches keep the writer busy
    /// (measured: peak RSS of a 2M-event import, docs/performance.md).
    /// </summary>
    public const int ImportQueueCapacity = 20_000;

    /// <summary>The readers of <paramref name="files"/>, in order; the first bad name fails them all, before anything is written.</summary>
    public static List<ITraceSource> SourcesFor(IEnumerable<string> files) => [.. files.Select(SourceFor)];

    /// <summary>Chooses the reader for a file by its extension, or by its header when the extension says nothing.</summary>
    public static ITraceSource SourceFor(string path)
    {
        if (!File.Exists(path))
            throw new MonitorNetworkException(FailureKind.NotFound, $"no such file: {Path.GetFullPath(path)}");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".etl")
        {
            if (!OperatingSystem.IsWindows())
                throw new MonitorNetworkException(FailureKind.NotSupportedOnThisOS,
                    $"{path}: .etl files are decoded by Windows (TDH); import them on Windows, or record .nettrace here");
            return new EtlFileSource(path) { Identity = Store.ImportIdentity.Of(path) };
        }
        // Anything else goes to the .nettrace reader, which checks the header and names the problem.
        return new NettraceFileSource(path) { Identity = Store.ImportIdentity.Of(path) };
    }

    /// <summary>A file run's settings: it waits for the writer rather than dropping; --again marks the input as repeated.</summary>
    public static RunSettings Settings(string database, bool again) =>
        new(database, new PipelineOptions { BlockWhenFull = true, QueueCapacity = ImportQueueCapacity }, TimeSpan.FromSeconds(1)) { RepeatInput = again };

    /// <summary>
    /// Refuses, before anything is written, a recording given twice or already in the store (its answers would
    /// double); with --replace, deletes the earlier import's rows instead.
    /// </summary>
    public static void CheckNotImported(IReadOnlyList<ITraceSource> sources, string database, bool replace)
    {
        var twice = sources.GroupBy(s => s.Identity).FirstOrDefault(g => g.Key is not null && g.Count() > 1);
        if (twice is not null)
            throw new MonitorNetworkException(FailureKind.AlreadyImported,
                $"{string.Join(" and ", twice.Select(s => s.Detail))} are the same recording; give it once (or add --again)");
        if (!File.Exists(database)) return;
        using var connection = Store.StoreDatabase.OpenForWriting(database, TimeSpan.FromSeconds(5));
        foreach (var source in sources)
        {
            var earlier = source.Identity?.EarlierSessions(connection) ?? [];
            if (earlier.Count == 0) continue;
            if (replace)
            {
                foreach (var (id, _, _) in earlier) Store.ImportIdentity.DeleteSession(connection, id);
                continue;
            }
            var (firstId, status, startedUs) = earlier[^1];
            var when = Events.UnixMicros.Format(startedUs);
            throw new MonitorNetworkException(FailureKind.AlreadyImported,
                $"{source.Detail} is in the store already (session {firstId}, {status}, {when}): --replace imports it in place of that session, --again imports it once more");
        }
    }
}
