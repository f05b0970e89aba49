// Polly around the store: a batch that meets another connection's lock (SQLITE_BUSY/LOCKED) is retried
// with exponential backoff while the bounded queue absorbs the wait. Anything else fails the batch at once.
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;
using Polly;
using Polly.Retry;

namespace MonitorNetwork.Collector.Store;

/// <summary>Retries transient lock failures of an inner <see cref="IEventBatchWriter"/>.</summary>
public sealed class ResilientBatchWriter(IEventBatchWriter inner, ResiliencePipeline retry) : IEventBatchWriter
{
    private const int SqliteBusy = 5, SqliteLocked = 6;

    /// <summary>True for SQLite errors that go away when another connection lets go.</summary>
    public static bool IsTransient(Exception ex) => ex is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    /// <summary>The default retry: exponential backoff with jitter from 50 ms, for up to about 30 s in all.</summary>
    public static ResiliencePipeline DefaultRetry(int maxAttempts = 10) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<SqliteException>(IsTransient),
            MaxRetryAttempts = maxAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .Build();

    /// <inheritdoc/>
    public void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters) =>
        retry.Execute(static state => state.inner.WriteBatch(state.batch, state.counters), (inner, batch, counters));
}
