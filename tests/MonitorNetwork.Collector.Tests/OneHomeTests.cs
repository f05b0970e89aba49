// One home for each rule (issue 28): the rules below are written once, and these tests fail when a second copy
// appears in the collector's code (comments aside).
using System.Text.RegularExpressions;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class OneHomeTests
{
    /// <summary>The collector's code lines, comments left out, with the file each is in.</summary>
    private static IEnumerable<(string File, string Line)> CodeLines(params string[] except) =>
        Directory.EnumerateFiles(RepoFiles.PathOf("collector"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !except.Any(e => f.EndsWith(e, StringComparison.Ordinal)))
            .SelectMany(f => File.ReadLines(f).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)).Select(l => (Path.GetFileName(f), l)));

    [Fact]
    public void EpochTimes_AreConvertedOnlyByUnixMicros()
    {
        var found = CodeLines("UnixMicros.cs").Where(x => x.Line.Contains("UnixEpoch", StringComparison.Ordinal) || x.Line.Contains("TicksPerMicrosecond", StringComparison.Ordinal)).ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void SessionStatusWords_AreWrittenOnlyBySessionStatus()
    {
        var words = Enum.GetValues<SessionStatus>().Select(s => s.Text()).ToList();
        Assert.Equal(["running", "completed", "interrupted", "failed", "truncated", "replaced"], words);
        var literal = new Regex($"[\"']({string.Join('|', words)})[\"']");
        var found = CodeLines("SessionStatus.cs").Where(x => literal.IsMatch(x.Line)).ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void ExitCodes_AreChosenOnlyByFailureDescribe()
    {
        // Commands return Success, Interrupted or a code Failure.Describe maps from a FailureKind; none picks another,
        // and only the second Ctrl+C exits the process itself (130, interrupted).
        var found = CodeLines("Failure.cs", "ExitCode.cs", "FailureKind.cs")
            .Where(x => Regex.IsMatch(x.Line, @"\(int\)ExitCode\.(?!Success\b|Interrupted\b)") || Regex.IsMatch(x.Line, @"Environment\.Exit(Code)?\b(?!\(InterruptedExitCode\))")).ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    /// <summary>The rollup tables and a flow's record counters, which only the accounting views combine.</summary>
    private static readonly Regex s_accountingTables = new(@"\b(packet_minute|flow_minute|flow_minute_total|stats_(packets|bytes)_(in|out))\b");

    [Fact]
    public void TrafficTotals_AreReadOnlyThroughTheAccountingViews()
    {
        // The writers keep the rollups (and the pruner and import --replace take rows out of them); the lake export sends
        // their rows as deltas of what each row has sent, marked on the rows. Every other reader reads the views of
        // schema/migrations/0016_accounting.sql.
        var found = CodeLines("FlowWriter.cs", "PacketStreamWriter.cs", "FlowMinuteRollup.cs", "ProgramUsageRollup.cs", "MinuteTotals.cs",
                              "StorePruner.cs", "ImportIdentity.cs", "LakeRowReaders.cs", "ParquetExporter.cs")
            .Where(x => s_accountingTables.IsMatch(x.Line)).ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
        var queries = Directory.EnumerateFiles(RepoFiles.PathOf("queries"), "*.sql")
            .SelectMany(f => File.ReadLines(f).Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)).Select(l => (Path.GetFileName(f), l)))
            .Where(x => s_accountingTables.IsMatch(x.l)).ToList();
        Assert.True(queries.Count == 0, string.Join("\n", queries));
        // And the readers do read them.
        foreach (var (file, view) in new[] { ("top-processes.sql", "flow_traffic"), ("top-remotes.sql", "flow_traffic"), ("top-hosts.sql", "flow_traffic"),
                                             ("flows.sql", "flow_traffic"), ("timeline.sql", "minute_traffic") })
            Assert.Contains(view, File.ReadAllText(RepoFiles.PathOf("queries", file)), StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_IsIssuedWithDapper_PreparedCommandsOnlyOnTheIngestPath()
    {
        // The ingest writers reuse prepared commands across batches, and packet rows go through SQLite's C API in
        // 64-row statements (docs/performance.md: 343k -> 976k packet events/s); every other statement goes through
        // Dapper. The C API is otherwise used only for what Microsoft.Data.Sqlite cannot do: a query's heap, time and
        // authorizer limits (QueryExecutor) and finding where one statement ends (SqlText, which never steps).
        string[] ingest = ["SqlCommands.cs", "SqliteEventWriter.cs", "FlowWriter.cs", "PacketStreamWriter.cs", "FlowMinuteRollup.cs",
                           "ProgramUsageRollup.cs", "DnsAnswerWriter.cs", "HealthWriter.cs", "ProcessWriter.cs", "ImageTable.cs"];
        var prepared = CodeLines(ingest).Where(x => Regex.IsMatch(x.Line, @"SqlCommands\.|CreateCommand\(\)|new SqliteCommand\b")).ToList();
        Assert.True(prepared.Count == 0, string.Join("\n", prepared));
        var stepped = CodeLines("RawStatement.cs", "RawPacketInserter.cs").Where(x => Regex.IsMatch(x.Line, @"raw\.sqlite3_(step|bind_|exec)")).ToList();
        Assert.True(stepped.Count == 0, string.Join("\n", stepped));
    }
}
