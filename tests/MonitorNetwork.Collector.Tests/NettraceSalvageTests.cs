// Truncated and damaged recordings keep every event of every complete block before the damage: the shipped demo
// recording cut at each block boundary and at random offsets, imported through the CLI.
using Dapper;
using MonitorNetwork.Collector.Cli;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class NettraceSalvageTests
{
    private static readonly string s_recording = RepoFiles.ContractV1Recording;

    private static async Task<(int Code, string Status, long Written, long? Skipped)> ImportCut(TempDirectory dir, long length)
    {
        var bytes = await File.ReadAllBytesAsync(s_recording);
        var cut = dir.File($"cut-{length}.nettrace");
        await File.WriteAllBytesAsync(cut, bytes.AsSpan(0, (int)length).ToArray());
        var db = dir.File($"cut-{length}.db");
        var code = await CliApp.RunAsync(["import", cut, "--db", db], TextWriter.Null, TextWriter.Null);
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        var row = c.QuerySingle<(string, long, long?)>("SELECT status, events_written, input_bytes_skipped FROM collector_session");
        return (code, row.Item1, row.Item2, row.Item3);
    }

    [Fact]
    public void Layout_OfAWholeRecording_EndsCleanlyAtItsLength()
    {
        using var stream = File.OpenRead(s_recording);
        var layout = NettraceSalvage.Read(stream);
        Assert.True(layout.EndsCleanly);
        Assert.Equal(stream.Length - 1, layout.CompleteEnd); // the end tag follows the last object
        Assert.True(layout.Boundaries.Count >= 4);
    }

    [Fact]
    public async Task CutAtEveryBlockBoundaryAndAtRandomOffsets_KeepsTheEventsOfTheCompleteBlocks()
    {
        using var dir = new TempDirectory();
        IReadOnlyList<long> boundaries;
        long length;
        using (var stream = File.OpenRead(s_recording))
        {
            var layout = NettraceSalvage.Read(stream);
            boundaries = layout.Boundaries;
            length = layout.Length;
        }
        var full = await ImportCut(dir, length);
        Assert.Equal(("completed", 2942L), (full.Status, full.Written));

        // At each boundary: a clean cut, whose events are exactly those of its complete blocks; never fewer than
        // the boundary before, and all of them once the last event block is complete.
        var kept = new Dictionary<long, long>();
        long previous = 0;
        foreach (var boundary in boundaries)
        {
            var r = await ImportCut(dir, boundary);
            Assert.Equal((int)ExitCode.BadTraceFile, r.Code);
            Assert.Equal("truncated", r.Status);
            Assert.Equal(0, r.Skipped); // a clean cut between blocks: nothing after the last one to skip, but no end either
            Assert.True(r.Written >= previous, $"cut at {boundary} kept {r.Written}, fewer than the {previous} of the boundary before");
            kept[boundary] = previous = r.Written;
        }
        Assert.Equal(2942L, kept[boundaries[^1]]);

        // At random offsets: the same events as a cut at the last complete boundary before the offset.
        var random = new Random(12);
        for (var i = 0; i < 10; i++)
        {
            var offset = random.NextInt64(boundaries[0] + 1, length - 1);
            var before = boundaries.Where(b => b <= offset).Max();
            var r = await ImportCut(dir, offset);
            Assert.Equal("truncated", r.Status);
            Assert.Equal(kept[before], r.Written);
            Assert.Equal(offset - before, r.Skipped);
        }
        // The case that lost nearly everything before the salvage: cut at 90% of the file.
        Assert.True((await ImportCut(dir, length * 9 / 10)).Written > 1000);
    }

    [Fact]
    public async Task CutInsideTheHeader_NothingToSalvage_Exit4()
    {
        using var dir = new TempDirectory();
        var r = await ImportCut(dir, 60);
        Assert.Equal((int)ExitCode.BadTraceFile, r.Code);
        Assert.Equal(("failed", 0L), (r.Status, r.Written));
    }
}
