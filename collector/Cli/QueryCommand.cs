// `monitornetwork query NAME [--param k=v ...] [--format table|csv|json]` and `monitornetwork query --sql "..."`.
// Rows stream to the output as they are read; every query has a time limit.
using System.CommandLine;
using Dapper;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the query command.</summary>
internal static class QueryCommand
{
    /// <summary>Bounds of --timeout: long enough for a year of rollups, short of never.</summary>
    internal static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100), MaxTimeout = TimeSpan.FromDays(1);

    /// <summary>Bounds of --heap-limit.</summary>
    internal const long MinHeapLimit = 16L << 20, MaxHeapLimit = 64L << 30;

    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "A named query (see 'monitornetwork queries')", Arity = ArgumentArity.ZeroOrOne };
        var db = CommonOptions.Database();
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter as name=value; repeat for more", HelpName = "NAME=VALUE" };
        var format = new Option<string>("--format", "-f") { Description = "Output format: table, csv or json", DefaultValueFactory = _ => "table", HelpName = "table|csv|json" };
        var sql = new Option<string?>("--sql") { Description = "Run one SQL statement instead of a named query (read-only; --param binds @name), or " + SqlText.KnownDotCommands };
        var timeout = new Option<string>("--timeout") { Description = "Stop the query after this long", DefaultValueFactory = _ => "30s", HelpName = "T" };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows a table shows (CSV and JSON write them all)", DefaultValueFactory = _ => ResultWriters.DefaultTableRows, HelpName = "N" };
        var heapLimit = new Option<string>("--heap-limit") { Description = "The most memory SQLite may use for the query (SQLite's hard heap limit)", DefaultValueFactory = _ => "256MB", HelpName = "SIZE" };
        var csvRaw = new Option<bool>("--csv-raw") { Description = "CSV: write text cells exactly as stored (no leading ' before = + - @, for pipelines, not spreadsheets)" };
        var command = new Command("query", "Run a named query or read-only SQL against the database") { name, db, parameters, format, sql, timeout, maxRows, heapLimit, csvRaw };
        command.SetAction(parse =>
        {
            var resultFormat = ResultWriters.Parse(parse.GetValue(format)!);
            var limit = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout", MinTimeout, MaxTimeout);
            var heap = SizeParser.Parse(parse.GetValue(heapLimit)!, "--heap-limit", MinHeapLimit, MaxHeapLimit);
            if (parse.GetValue(maxRows) < 1) throw new MonitorNetworkException(FailureKind.Usage, "--max-rows must be at least 1");
            var (text, bound, schemaText) = Prepare(parse.GetValue(name), parse.GetValue(sql), parse.GetValue(parameters) ?? []);
            // .schema prints the CREATE statements as sqlite3 does, a line each (escaped: a planted store names its own things).
            var writer = schemaText ? new SchemaTextWriter(CliStreams.Out) : ResultWriters.For(resultFormat, CliStreams.Out, CliStreams.OutIsTerminal, parse.GetValue(maxRows), parse.GetValue(csvRaw));
            QueryExecutor.Stream(StoreLocation.Resolve(parse.GetValue(db)), text, bound, limit, writer, heap);
            return (int)ExitCode.Success;
        });
        return command;
    }

    /// <summary>The SQL and bound parameters of a named query or ad-hoc SQL; exactly one of them must be given.</summary>
    internal static (string Sql, DynamicParameters? Parameters, bool SchemaText) Prepare(string? name, string? sql, string[] parameters)
    {
        if ((name is null) == (sql is null))
            throw new MonitorNetworkException(FailureKind.Usage, "give a query NAME or --sql \"...\", not both and not neither");
        if (sql is not null)
        {
            var statement = SqlText.Prepare(sql, parameters);
            return (statement.Sql, statement.Parameters, statement.IsSchemaText);
        }
        var query = QueryCatalog.Find(name!) ?? throw new MonitorNetworkException(FailureKind.Usage,
            $"no query named '{name}' (known: {string.Join(", ", QueryCatalog.All.Select(q => q.Name))})");
        return (query.Sql, QueryExecutor.ToDynamic(ParameterBinder.Bind(query, parameters, DateTimeOffset.UtcNow)), false);
    }

    /// <summary>Runs a named query or ad-hoc SQL and collects the rows (tests).</summary>
    internal static QueryResult Execute(string? name, string? sql, string[] parameters, string database)
    {
        var (text, bound, _) = Prepare(name, sql, parameters);
        return sql is not null ? QueryExecutor.RunSql(database, text, bound) : QueryExecutor.Run(database, QueryCatalog.Find(name!)!, ParameterBinder.Bind(QueryCatalog.Find(name!)!, parameters, DateTimeOffset.UtcNow));
    }
}
