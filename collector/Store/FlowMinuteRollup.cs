// flow_minute and flow_minute_total: flow records' increases per flow and minute, and per minute. Accumulated in
// memory per batch (a flow's records in one batch land in one row) and upserted before the commit.
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Store;

/// <summary>The minute rollup of flow records. Use from one thread.</summary>
internal sealed class FlowMinuteRollup : IDisposable
{
    private readonly Dictionary<(long FlowKey, long Minute), MinuteTotals> _byFlow = new();
    private readonly Dictionary<long, MinuteTotals> _byMinute = new();
    private readonly SqliteCommand _upsertFlowMinute, _upsertTotal;

    private readonly ProgramUsageRollup _usage;

    public FlowMinuteRollup(SqliteConnection connection, ProgramUsageRollup usage)
    {
        _usage = usage;
        _upsertFlowMinute = SqlCommands.Prepare(connection, $"""
            INSERT INTO flow_minute(flow_key, minute, packets_in, bytes_in, packets_out, bytes_out)
            VALUES ($key, $minute, $pin, $bin, $pout, $bout)
            ON CONFLICT(flow_key, minute) DO UPDATE SET
                {MinuteTotals.AddExcluded}
            """, "$key", "$minute", "$pin", "$bin", "$pout", "$bout");
        _upsertTotal = SqlCommands.Prepare(connection, $"""
            INSERT INTO flow_minute_total(minute, packets_in, bytes_in, packets_out, bytes_out)
            VALUES ($minute, $pin, $bin, $pout, $bout)
            ON CONFLICT(minute) DO UPDATE SET
                {MinuteTotals.AddExcluded}
            """, "$minute", "$pin", "$bin", "$pout", "$bout");
    }

    /// <summary>Adds <paramref name="increase"/> to flow <paramref name="flowKey"/>'s <paramref name="minute"/>.</summary>
    public void Add(long flowKey, long minute, MinuteTotals increase)
    {
        if (increase.IsEmpty) return;
        _byFlow[(flowKey, minute)] = _byFlow.GetValueOrDefault((flowKey, minute)) + increase;
        _byMinute[minute] = _byMinute.GetValueOrDefault(minute) + increase;
    }

    public void Begin(SqliteTransaction tx) => SqlCommands.Join(tx, _upsertFlowMinute, _upsertTotal);

    public void Flush()
    {
        foreach (var ((key, minute), t) in _byFlow)
        {
            SqlCommands.Run(_upsertFlowMinute, key, minute, t.PacketsIn, t.BytesIn, t.PacketsOut, t.BytesOut);
            _usage.AddFlow(key, minute, t);
        }
        foreach (var (minute, t) in _byMinute) SqlCommands.Run(_upsertTotal, minute, t.PacketsIn, t.BytesIn, t.PacketsOut, t.BytesOut);
    }

    /// <summary>The batch is over, committed or rolled back: what it held is written or gone.</summary>
    public void Clear()
    {
        _byFlow.Clear();
        _byMinute.Clear();
    }

    public void Dispose()
    {
        _upsertFlowMinute.Dispose();
        _upsertTotal.Dispose();
    }
}
