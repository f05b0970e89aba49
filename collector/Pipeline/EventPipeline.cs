// The bounded queue and batcher between a trace source's callback and the store, modelled on
// OpenTelemetry's BatchExportProcessor: the producer never blocks (unless told to, for files), a full
// queue drops and counts, batches flush when full or when the flush interval passes, and stopping
// drains what was already received.
using System.Diagnostics;
using System.Threading.Channels;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Pipeline;

/// <summary>
/// Moves decoded events from one producer to an <see cref="IEventBatchWriter"/> in batches.
/// Lifecycle: Unstarted → Running (<see cref="Start"/>) → Stopping (<see cref="StopAsync"/>: no new events,
/// the queue drains) → Stopped. Start and StopAsync are idempotent.
/// </summary>
public sealed class EventPipeline : IAsyncDisposable
{
    private const int Unstarted = 0, Running = 1, Stopping = 2;

    private readonly Channel<MonitorEvent> _queue;
    private readonly IEventBatchWriter _writer;
    private readonly PipelineOptions _options;
    private readonly Action<Exception, int> _onWriteError;
    private readonly object _lifecycle = new();
    private int _state;
    private Task _writerTask = Task.CompletedTask;

    /// <summary>Creates a pipeline; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="writer">Commits batches; called from one task only.</param>
    /// <param name="options">Queue and batch sizes.</param>
    /// <param name="onWriteError">Told about each batch that could not be committed, with its size (it is counted as dropped).</param>
    public EventPipeline(IEventBatchWriter writer, PipelineOptions options, Action<Exception, int>? onWriteError = null)
    {
        _writer = writer;
        _options = options;
        _onWriteError = onWriteError ?? ((_, _) => { });
        _queue = Channel.CreateBounded<MonitorEvent>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>What this pipeline received, wrote and dropped.</summary>
    public PipelineCounters Counters { get; } = new();

    /// <summary>Starts the writer task. Calling it again does nothing.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            if (_state != Unstarted) return;
            _state = Running;
            _writerTask = Task.Run(WriteLoopAsync);
        }
    }

    /// <summary>
    /// Offers one event. Live mode never blocks: a full queue drops the event and counts it.
    /// Blocking mode (file import) waits for room instead.
    /// </summary>
    /// <returns>False when the event was dropped.</returns>
    public bool Post(MonitorEvent evt)
    {
        Counters.AddReceived();
        if (_queue.Writer.TryWrite(evt)) return true;
        if (_options.BlockWhenFull)
        {
            try
            {
                _queue.Writer.WriteAsync(evt).AsTask().GetAwaiter().GetResult();
                return true;
            }
            catch (ChannelClosedException)
            {
                // Stopped while waiting: fall through and count it.
            }
        }
        Counters.AddDropped(1);
        return false;
    }

    /// <summary>Whether a full queue waits for room (file import) rather than dropping (live).</summary>
    public bool BlocksWhenFull => _options.BlockWhenFull;

    /// <summary>Counts an event that was received but dropped before it reached this queue (the router's, when full).</summary>
    public void CountDropped()
    {
        Counters.AddReceived();
        Counters.AddDropped(1);
    }

    /// <summary>Counts a decoder outcome that produced no event; an unknown one under its provider, name and id.</summary>
    public void Count(DecodeOutcome outcome, string provider = "", string eventName = "", int eventId = 0)
    {
        if (outcome == DecodeOutcome.Malformed) Counters.AddMalformed();
        else if (outcome == DecodeOutcome.Unknown) Counters.AddUnknown(provider, eventName, eventId);
        else if (outcome == DecodeOutcome.OtherProvider) Counters.AddOtherProvider(provider);
    }

    /// <summary>Stops taking events, writes everything already queued, then returns. Safe to call twice.</summary>
    public Task StopAsync()
    {
        lock (_lifecycle)
        {
            if (_state == Unstarted) _state = Stopping;
            else if (_state == Running)
            {
                _state = Stopping;
                _queue.Writer.TryComplete();
            }
            return _writerTask;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<MonitorEvent>(_options.BatchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(_options.FlushInterval.TotalSeconds * Stopwatch.Frequency);
            while (batch.Count < _options.BatchSize)
            {
                if (reader.TryRead(out var evt))
                {
                    batch.Add(evt);
                    continue;
                }
                if (!await WaitForMoreAsync(reader, deadline).ConfigureAwait(false)) break;
            }
            Flush(batch);
            batch.Clear();
        }
    }

    /// <summary>Waits until an event arrives (true), or the flush deadline passes or the queue closes (false).</summary>
    private static async Task<bool> WaitForMoreAsync(ChannelReader<MonitorEvent> reader, long deadline)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining <= TimeSpan.Zero) return false;
        using var timeout = new CancellationTokenSource(remaining);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Flush(List<MonitorEvent> batch)
    {
        if (batch.Count == 0) return;
        var after = Counters.Snapshot() with { Written = Counters.Written + batch.Count };
        try
        {
            _writer.WriteBatch(batch, after);
            Counters.AddWritten(batch.Count);
        }
#pragma warning disable CA1031 // A failed batch is counted and reported; the writer loop must keep serving the queue.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Counters.AddDropped(batch.Count);
            _onWriteError(ex, batch.Count);
        }
    }
}
