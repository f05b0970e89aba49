// dns_answer: every address a completed name resolution gave, and the name a flow's remote was resolved from.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Store;

/// <summary>Writes DNS answers and finds a flow's host name at write time.</summary>
internal sealed class DnsAnswerWriter : IBatchTableWriter
{
    private readonly long _sessionId;
    private readonly RemoteTable _remotes;
    private readonly SqliteCommand _insert, _findHostName;

    public DnsAnswerWriter(SqliteConnection connection, long sessionId, RemoteTable remotes)
    {
        _sessionId = sessionId;
        _remotes = remotes;
        _insert = SqlCommands.Prepare(connection, """
            INSERT INTO dns_answer(ts_us, session_id, pid, query_name, cname_chain, query_type, remote_id)
            VALUES ($ts, $session, $pid, $name, $cnames, $type, $rid)
            """, "$ts", "$session", "$pid", "$name", "$cnames", "$type", "$rid");
        // The same process's answer first, else anyone's; the newest within the window before the flow began.
        _findHostName = SqlCommands.Prepare(connection, """
            SELECT query_name FROM dns_answer
            WHERE remote_id = $rid AND ts_us <= $ts AND ts_us >= $ts - $window
            ORDER BY pid = $pid DESC, ts_us DESC LIMIT 1
            """, "$rid", "$ts", "$window", "$pid");
    }

    /// <summary>A flow's remote takes the name resolved to its address at most this long before the flow began.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    public void Write(DnsAnswerEvent d)
    {
        var cnames = d.CnameChain.Count == 0 ? (object)DBNull.Value : string.Join(" > ", d.CnameChain);
        foreach (var address in d.Addresses)
            SqlCommands.Run(_insert, d.TimestampUs, _sessionId, d.ProcessId, d.QueryName, cnames, d.QueryType, _remotes.Resolved(address));
    }

    /// <summary>The name <paramref name="processId"/> (else anyone) resolved to the remote before the time, or NULL.</summary>
    public object HostNameOf(long remoteId, long timestampUs, uint processId)
    {
        SqlCommands.SetAll(_findHostName, remoteId, timestampUs, (long)Window.TotalMicroseconds, processId);
        return _findHostName.ExecuteScalar() ?? DBNull.Value;
    }

    public void Begin(SqliteTransaction tx) => SqlCommands.Join(tx, _insert, _findHostName);
    public void Flush() { }
    public void RolledBack() { }
    public void Ended() { }

    public void Dispose()
    {
        _insert.Dispose();
        _findHostName.Dispose();
    }
}
