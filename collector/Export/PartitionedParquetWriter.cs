// Streams one lake table's rows into Parquet files, one per date partition, a row group at a time: memory holds at
// most one row group per date being written, whatever the backlog (1M flows export under the service's 64 MiB heap).
// Files are written under a hidden temporary name (".part-<run>-<n>.parquet.tmp", created exclusively, 0600), which no
// *.parquet glob matches, and synced before the commit that promises them.
using Parquet;
using Parquet.Serialization;

namespace MonitorNetwork.Collector.Export;

/// <summary>Writes one table's rows of one chunk into per-date temporary Parquet files.</summary>
internal sealed class PartitionedParquetWriter<T>(string lake, string table, string host, Func<string> nextName, int rowGroupRows) : IAsyncDisposable
    where T : ExportRow
{
    private sealed class Partition(FileStream stream, string temp, string final)
    {
        public FileStream Stream { get; } = stream;
        public string Temp { get; } = temp;
        public string Final { get; } = final;
        public List<T> Buffer { get; } = [];
        public bool Started { get; set; }
    }

    private static readonly ParquetOptions s_append = new()
    {
        CompressionMethod = ParquetExporter.Options.CompressionMethod,
        CompressionLevel = ParquetExporter.Options.CompressionLevel,
        Append = true,
    };

    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Adds a row; a full row group is written out at once.</summary>
    public async Task AddAsync(T row, CancellationToken cancellationToken)
    {
        if (!_partitions.TryGetValue(row.Date, out var partition))
        {
            var directory = Path.Combine(lake, $"table={table}", $"host={host}", $"date={row.Date}");
            Directory.CreateDirectory(directory);
            var name = nextName();
            var temp = Path.Combine(directory, "." + name + ".tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 << 16 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Output.OutputFile.PrivateMode;
            partition = new Partition(new FileStream(temp, options), temp, Path.Combine(directory, name));
            _partitions.Add(row.Date, partition);
        }
        partition.Buffer.Add(row);
        Rows++;
        if (partition.Buffer.Count >= rowGroupRows) await FlushAsync(partition, cancellationToken).ConfigureAwait(false);
    }

    private static async Task FlushAsync(Partition p, CancellationToken cancellationToken)
    {
        if (p.Buffer.Count == 0) return;
        p.Stream.Seek(0, SeekOrigin.Begin);
        await ParquetSerializer.SerializeAsync(p.Buffer, p.Stream, p.Started ? s_append : ParquetExporter.Options, cancellationToken: cancellationToken).ConfigureAwait(false);
        p.Started = true;
        p.Buffer.Clear();
    }

    /// <summary>Writes what is buffered, syncs and closes every file; returns each (temporary, final) path.</summary>
    public async Task<List<(string Temp, string Final)>> CompleteAsync(CancellationToken cancellationToken)
    {
        var written = new List<(string, string)>();
        foreach (var p in _partitions.Values)
        {
            await FlushAsync(p, cancellationToken).ConfigureAwait(false);
            p.Stream.Flush(flushToDisk: true); // durable before the commit that promises it
            await p.Stream.DisposeAsync().ConfigureAwait(false);
            written.Add((p.Temp, p.Final));
        }
        _partitions.Clear();
        return written;
    }

    /// <summary>
    /// Closes the files of a chunk that was not completed. They stay, hidden, as a kill would leave them: the next
    /// run removes them (ParquetExporter.RemoveOrphans) and exports their rows again.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _partitions.Values) await p.Stream.DisposeAsync().ConfigureAwait(false);
        _partitions.Clear();
    }
}
