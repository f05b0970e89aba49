// program_minute, program_hour and program_day (schema 0014): the batch's minute-rollup increases, from flow records
// (FlowMinuteRollup) and packets (PacketStreamWriter), added up per program at the end of the batch, so a batch costs
// one upsert per program and minute, hour and day, however many flows it touched. Which program a flow or stream
// belongs to is asked of the store once (the views flow_program and stream_program) and remembered.
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>The per-program usage rollups. Use from one thread; flushed after the writers that feed it.</summary>
internal sealed class ProgramUsageRollup : IBatchTableWriter
{
    /// <summary>Most flows and streams whose program is remembered; beyond it the memory starts over.</summary>
    private const int MaxRemembered = 200_000;

    private readonly List<(long FlowKey, long Minute, MinuteTotals Totals)> _flowMinutes = [];
    private readonly List<(long StreamId, long Minute, MinuteTotals Totals)> _streamMinutes = [];
    private readonly Dictionary<long, long> _programOfFlow = [], _programOfStream = [];
    private readonly SqliteCommand _flowProgram, _streamProgram, _insertProgram, _findProgram;
    private readonly SqliteCommand[] _upserts;

    public ProgramUsageRollup(SqliteConnection connection)
    {
        _flowProgram = SqlCommands.Prepare(connection, "SELECT path, pid FROM flow_program WHERE flow_key = $key", "$key");
        _streamProgram = SqlCommands.Prepare(connection, "SELECT path, pid FROM stream_program WHERE stream_id = $id", "$id");
        _insertProgram = SqlCommands.Prepare(connection, "INSERT INTO program(path, pid) VALUES ($path, $pid) ON CONFLICT(path, pid) DO NOTHING", "$path", "$pid");
        _findProgram = SqlCommands.Prepare(connection, "SELECT program_id FROM program WHERE path = $path AND pid = $pid", "$path", "$pid");
        _upserts = [.. new[] { ("program_minute", "minute"), ("program_hour", "hour"), ("program_day", "day") }.Select(t => SqlCommands.Prepare(connection, $"""
            INSERT INTO {t.Item1}({t.Item2}, program_id, packets_in, bytes_in, packets_out, bytes_out)
            VALUES ($at, $program, $pin, $bin, $pout, $bout)
            ON CONFLICT({t.Item2}, program_id) DO UPDATE SET
                {MinuteTotals.AddExcluded}
            """, "$at", "$program", "$pin", "$bin", "$pout", "$bout"))];
    }

    /// <summary>A flow record's increase, as added to flow_minute.</summary>
    public void AddFlow(long flowKey, long minute, MinuteTotals increase) => _flowMinutes.Add((flowKey, minute, increase));

    /// <summary>Packets' totals of a stream's minute, as added to packet_minute.</summary>
    public void AddStream(long streamId, long minute, MinuteTotals totals) => _streamMinutes.Add((streamId, minute, totals));

    public void Begin(SqliteTransaction tx) => SqlCommands.Join(tx, [_flowProgram, _streamProgram, _insertProgram, _findProgram, .. _upserts]);

    public void Flush()
    {
        if (_flowMinutes.Count == 0 && _streamMinutes.Count == 0) return;
        var byProgram = new Dictionary<(long Program, long Minute), MinuteTotals>();
        foreach (var (key, minute, t) in _flowMinutes) Add(byProgram, ProgramOf(_programOfFlow, _flowProgram, key), minute, t);
        foreach (var (id, minute, t) in _streamMinutes) Add(byProgram, ProgramOf(_programOfStream, _streamProgram, id), minute, t);
        // Minutes, then the same increases by hour and by day: each level is the sum of the one below.
        var levels = new[] { 1L, 60L, 1440L };
        for (var level = 0; level < levels.Length; level++)
        {
            var grouped = new Dictionary<(long Program, long At), MinuteTotals>();
            foreach (var ((program, minute), t) in byProgram) Add(grouped, program, minute / levels[level], t);
            foreach (var ((program, at), t) in grouped) SqlCommands.Run(_upserts[level], at, program, t.PacketsIn, t.BytesIn, t.PacketsOut, t.BytesOut);
        }
    }

    /// <summary>The rollback undid programs this batch added: forget every id learned, not only this batch's.</summary>
    public void RolledBack()
    {
        _programOfFlow.Clear();
        _programOfStream.Clear();
    }

    public void Ended()
    {
        _flowMinutes.Clear();
        _streamMinutes.Clear();
        if (_programOfFlow.Count > MaxRemembered) _programOfFlow.Clear();
        if (_programOfStream.Count > MaxRemembered) _programOfStream.Clear();
    }

    private static void Add(Dictionary<(long, long), MinuteTotals> into, long program, long at, MinuteTotals t) =>
        into[(program, at)] = into.GetValueOrDefault((program, at)) + t;

    private long ProgramOf(Dictionary<long, long> remembered, SqliteCommand lookup, long key)
    {
        if (remembered.TryGetValue(key, out var known)) return known;
        SqlCommands.SetAll(lookup, key);
        string path;
        long pid;
        using (var reader = lookup.ExecuteReader())
        {
            var found = reader.Read();
            path = found ? reader.GetString(0) : "";
            pid = found && !reader.IsDBNull(1) ? reader.GetInt64(1) : 0;
        }
        if (path.Length > 0) pid = 0; // one program's runs add up across process ids
        SqlCommands.Run(_insertProgram, path, pid);
        SqlCommands.SetAll(_findProgram, path, pid);
        var id = (long)_findProgram.ExecuteScalar()!;
        remembered[key] = id;
        return id;
    }

    public void Dispose()
    {
        foreach (var c in new[] { _flowProgram, _streamProgram, _insertProgram, _findProgram }.Concat(_upserts)) c.Dispose();
    }
}
