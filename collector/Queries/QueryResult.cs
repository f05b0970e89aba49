// The rows of a query, with column names in order, ready for any output format.
namespace MonitorNetwork.Collector.Queries;

/// <summary>A query's result.</summary>
/// <param name="Columns">Column names, in order.</param>
/// <param name="Rows">Rows; values are long, double, string, byte[] or null.</param>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);
