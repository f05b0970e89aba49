// The bounded pipeline: drop-and-count when full, flush by size and by time, drain on stop, failed batches
// counted as dropped, idempotent lifecycle.
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Tests;

public class EventPipelineTests
{
    private sealed class RecordingWriter : IEventBatchWriter
    {
        public readonly List<int> BatchSizes = new();
        public readonly List<MonitorEvent> Written = new();
        public readonly List<CounterSnapshot> Counters = new();
        public ManualResetEventSlim Gate { get; } = new(true);
        public Func<int, Exception?> FailBatch { get; set; } = _ => null;

        /// <summary>Completes when the first batch has been written (the pipeline's writer thread says so).</summary>
        public TaskCompletionSource FirstBatch { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void WriteBatch(IReadOnlyList<MonitorEvent> batch, CounterSnapshot counters)
        {
            Gate.Wait();
            lock (this)
            {
                if (FailBatch(BatchSizes.Count) is { } ex) { BatchSizes.Add(-batch.Count); throw ex; }
                BatchSizes.Add(batch.Count);
                Written.AddRange(batch);
                Counters.Add(counters);
            }
            FirstBatch.TrySetResult();
        }
    }

    private static FlowDeletedEvent Event(int i) => new(i, (ulong)i, 0, 0, 0, 0);

    [Fact]
    public async Task Post_QueueFull_DropsAndCountsWithoutBlocking()
    {
        var writer = new RecordingWriter();
        writer.Gate.Reset(); // the writer is stuck, as behind a long lock
        var pipeline = new EventPipeline(writer, new PipelineOptions { QueueCapacity = 100, BatchSize = 10, FlushInterval = TimeSpan.FromMilliseconds(10) });
        pipeline.Start();
        var accepted = 0;
        for (var i = 0; i < 1000; i++) if (pipeline.Post(Event(i))) accepted++;
        writer.Gate.Set();
        await pipeline.StopAsync();

        var c = pipeline.Counters.Snapshot();
        Assert.Equal(1000, c.Received);
        Assert.Equal(1000 - accepted, c.Dropped);
        Assert.Equal(accepted, c.Written);
        Assert.Equal(accepted, writer.Written.Count);
        Assert.InRange(accepted, 100, 111); // the queue plus at most the batch the writer had taken
    }

    [Fact]
    public async Task Stop_DrainsEverythingReceived_InBatchesOfAtMostBatchSize()
    {
        var writer = new RecordingWriter();
        var pipeline = new EventPipeline(writer, new PipelineOptions { QueueCapacity = 10_000, BatchSize = 64, FlushInterval = TimeSpan.FromSeconds(30) });
        pipeline.Start();
        for (var i = 0; i < 1000; i++) Assert.True(pipeline.Post(Event(i)));
        await pipeline.StopAsync();

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), writer.Written.Select(e => e.TimestampUs));
        Assert.All(writer.BatchSizes, n => Assert.InRange(n, 1, 64));
        Assert.Equal(1000, pipeline.Counters.Written);
        Assert.Equal(0, pipeline.Counters.Dropped);
    }

    [Fact]
    public async Task PartialBatch_IsFlushedByTimer()
    {
        var writer = new RecordingWriter();
        var pipeline = new EventPipeline(writer, new PipelineOptions { BatchSize = 1000, FlushInterval = TimeSpan.FromMilliseconds(50) });
        pipeline.Start();
        pipeline.Post(Event(1));
        pipeline.Post(Event(2));
        // The timer's flush is what is under test, so real time passes here (50 ms); the batch's arrival ends the wait.
        await writer.FirstBatch.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, writer.Written.Count); // written while the pipeline still runs, not by the stop
        Assert.Equal([2], writer.BatchSizes);
        await pipeline.StopAsync();
    }

    [Fact]
    public async Task FailedBatch_IsCountedAsDropped_AndLaterBatchesStillWrite()
    {
        var writer = new RecordingWriter { FailBatch = n => n == 0 ? new InvalidOperationException("disk full") : null };
        var errors = new List<Exception>();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new EventPipeline(writer, new PipelineOptions { BatchSize = 10, FlushInterval = TimeSpan.FromSeconds(30) }, (e, _) => { errors.Add(e); failed.TrySetResult(); });
        pipeline.Start();
        for (var i = 0; i < 10; i++) pipeline.Post(Event(i));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the first batch failed: now the next events
        for (var i = 10; i < 15; i++) pipeline.Post(Event(i));
        await pipeline.StopAsync();

        Assert.Single(errors);
        Assert.Equal(10, pipeline.Counters.Dropped);
        Assert.Equal(5, pipeline.Counters.Written);
        Assert.Equal(Enumerable.Range(10, 5).Select(i => (long)i), writer.Written.Select(e => e.TimestampUs));
    }

    [Fact]
    public async Task CountersPassedToWriter_IncludeTheBatchBeingWritten()
    {
        var writer = new RecordingWriter();
        var pipeline = new EventPipeline(writer, new PipelineOptions { BatchSize = 5, FlushInterval = TimeSpan.FromSeconds(30) });
        pipeline.Start();
        for (var i = 0; i < 5; i++) pipeline.Post(Event(i));
        await pipeline.StopAsync();
        Assert.Equal(5, writer.Counters.Last().Written);
        Assert.Equal(5, writer.Counters.Last().Received);
    }

    [Fact]
    public async Task BlockWhenFull_WaitsInsteadOfDropping()
    {
        var writer = new RecordingWriter();
        var pipeline = new EventPipeline(writer, new PipelineOptions { QueueCapacity = 8, BatchSize = 4, FlushInterval = TimeSpan.FromMilliseconds(5), BlockWhenFull = true });
        pipeline.Start();
        await Task.Run(() => { for (var i = 0; i < 5000; i++) pipeline.Post(Event(i)); });
        await pipeline.StopAsync();
        Assert.Equal(0, pipeline.Counters.Dropped);
        Assert.Equal(5000, writer.Written.Count);
    }

    [Fact]
    public async Task StartAndStop_AreIdempotent_AndPostAfterStopIsDropped()
    {
        var writer = new RecordingWriter();
        var pipeline = new EventPipeline(writer, new PipelineOptions());
        pipeline.Start();
        pipeline.Start();
        pipeline.Post(Event(1));
        await pipeline.StopAsync();
        await pipeline.StopAsync();
        Assert.False(pipeline.Post(Event(2)));
        Assert.Equal(1, pipeline.Counters.Written);
        Assert.Equal(1, pipeline.Counters.Dropped);
    }

    [Fact]
    public void Count_TalliesMalformedAndUnknownOnly()
    {
        var pipeline = new EventPipeline(new RecordingWriter(), new PipelineOptions());
        pipeline.Count(DecodeOutcome.Malformed);
        pipeline.Count(DecodeOutcome.Malformed);
        pipeline.Count(DecodeOutcome.Unknown);
        pipeline.Count(DecodeOutcome.OtherProvider);
        Assert.Equal((2L, 1L, 0L), (pipeline.Counters.Malformed, pipeline.Counters.Unknown, pipeline.Counters.Received));
    }

    [Fact]
    public void ReportLost_OnlyGrows()
    {
        var counters = new PipelineCounters();
        counters.ReportLost(5);
        counters.ReportLost(3);
        Assert.Equal(5, counters.Lost);
    }
}
