// Feeds raw events through a decoder, the router and the real pipeline into a fresh store, then runs named queries
// on it: the whole path after the ETW callback, for fixtures of any provider.
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Pipeline;
using MonitorNetwork.Collector.Queries;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Store;
using MonitorNetwork.Collector.Routing;

namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class RoutedStore
{
    public static async Task<CounterSnapshot> FillAsync(string path, string source, IEventDecoder decoder, Action<EventRouter> route,
        Decoding.FlowRecordBuilder? flows = null)
    {
        using var connection = StoreDatabase.OpenForWriting(path, TimeSpan.FromSeconds(1));
        using var writer = new SqliteEventWriter(connection, SessionStore.Begin(connection, source, null, DateTimeOffset.UtcNow));
        var pipeline = new EventPipeline(writer, new PipelineOptions());
        pipeline.Start();
        var router = new EventRouter(pipeline, decoder, flows: flows);
        route(router);
        router.Finish();
        await pipeline.StopAsync();
        return pipeline.Counters.Snapshot();
    }

    public static QueryResult Query(string path, string name, params string[] parameters)
    {
        var query = QueryCatalog.Find(name)!;
        return QueryExecutor.Run(path, query, ParameterBinder.Bind(query, parameters, DateTimeOffset.UtcNow));
    }
}
