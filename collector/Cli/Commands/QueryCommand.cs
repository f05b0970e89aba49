// `monitornetwork query NAME [--param k=v ...] [--format table|csv|json]` and `monitornetwork query --sql "..."`.
using System.CommandLine;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Queries;

namespace MonitorNetwork.Collector.Cli.Commands;

/// <summary>Defines and runs the query command.</summary>
internal static class QueryCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "A named query (see 'monitornetwork queries')", Arity = ArgumentArity.ZeroOrOne };
        var db = CommonOptions.Database();
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter as name=value; repeat for more", HelpName = "NAME=VALUE" };
        var format = new Option<ResultFormat>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => ResultFormat.Table };
        var sql = new Option<string?>("--sql") { Description = "Run this SQL instead of a named query (read-only)" };
        var command = new Command("query", "Run a named query or read-only SQL against the database") { name, db, parameters, format, sql };
        command.SetAction(parse =>
        {
            var result = Execute(parse.GetValue(name), parse.GetValue(sql), parse.GetValue(parameters) ?? [], StoreLocation.Resolve(parse.GetValue(db)));
            ResultWriters.For(parse.GetValue(format), CliStreams.OutIsTerminal).Write(result, CliStreams.Out);
            return (int)ExitCode.Success;
        });
        return command;
    }

    /// <summary>Runs a named query or ad-hoc SQL; exactly one of them must be given.</summary>
    internal static QueryResult Execute(string? name, string? sql, string[] parameters, string database)
    {
        if ((name is null) == (sql is null))
            throw new MonitorNetworkException(FailureKind.Usage, "give a query NAME or --sql \"...\", not both and not neither");
        if (sql is not null)
        {
            if (parameters.Length > 0) throw new MonitorNetworkException(FailureKind.Usage, "--param goes with named queries, not --sql");
            return QueryExecutor.RunSql(database, sql);
        }
        var query = QueryCatalog.Find(name!) ?? throw new MonitorNetworkException(FailureKind.Usage,
            $"no query named '{name}' (known: {string.Join(", ", QueryCatalog.All.Select(q => q.Name))})");
        var bound = ParameterBinder.Bind(query, parameters, DateTimeOffset.UtcNow);
        return QueryExecutor.Run(database, query, bound);
    }
}
