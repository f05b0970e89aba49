// How far each IPFIX destination lags (stats): when it was last sent to, how many records it has had, and how many
// flows it is not finished with (open flows, and flows with segments it has not had yet).
using Dapper;
using Microsoft.Data.Sqlite;

namespace MonitorNetwork.Collector.Export.Ipfix;

/// <summary>One destination's standing.</summary>
public sealed record IpfixDestinationLag(string Destination, long? LastExportUs, long RecordsSent, long FlowsNotFinished);

/// <summary>Reads every destination's standing.</summary>
public static class IpfixLag
{
    /// <summary>Every destination a store has sent to, or none (a store older than schema 12 has none either).</summary>
    public static IReadOnlyList<IpfixDestinationLag> Read(SqliteConnection connection)
    {
        if (connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'ipfix_destination'") == 0) return [];
        return connection.Query<(string Destination, long? Last, long Sent, long Waiting)>("""
            SELECT d.destination, d.last_export_us, d.records_sent,
                   (SELECT count(*) FROM flow_row f WHERE f.flow_key > d.done_below
                      AND NOT EXISTS (SELECT 1 FROM ipfix_progress p WHERE p.destination = d.destination AND p.flow_key = f.flow_key AND p.done = 1))
            FROM ipfix_destination d ORDER BY d.destination
            """).Select(r => new IpfixDestinationLag(r.Destination, r.Last, r.Sent, r.Waiting)).ToList();
    }
}
