// The callback every TraceEvent source feeds: decode, then hand to the pipeline. Decoding happens on the source's
// thread, inside the callback, because TraceEvent reuses its event object once the callback returns; the decoders
// are only ever called from that one thread. Everything after decoding runs on ONE routing thread that this router
// owns: the path normaliser, the flow-record builder (Kernel-Network) and its list of built records. The callback
// thread, the process rundown (a pool thread, running while events flow) and Finish all hand that thread messages
// through a bounded channel: the Kernel-Network builder was written from the callback and the rundown at once, and a
// stress run lost collection to "Collection was modified" in 23 of 40 runs. In live mode a full channel drops the
// event and counts it, like the pipeline's own queue, so the callback never blocks; an import waits for room.
// Lifecycle: Running from construction; Finish() drains the channel, flushes the builder's last records and ends the
// thread; it is idempotent, and a post after it is dropped and counted.
using System.Threading.Channels;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Pipeline;

namespace MonitorNetwork.Collector.Routing;

/// <summary>Connects a TraceEvent source to the decoder and the pipeline, through one routing thread.</summary>
public sealed class EventRouter : IDisposable
{
    /// <summary>Events the routing thread may be behind by before live events are dropped (and counted).</summary>
    public const int Capacity = 65_536;

    private readonly EventPipeline _pipeline;
    private readonly IEventDecoder _decoder;
    private readonly ImagePathNormalizer _paths;
    private readonly Decoding.FlowRecordBuilder? _flows;
    private readonly Channel<Events.MonitorEvent> _queue = Channel.CreateBounded<Events.MonitorEvent>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    private readonly Thread _thread;
    private readonly List<Events.MonitorEvent> _built = []; // the routing thread's alone
    private long _lastUs;                                  // the routing thread's alone
    private int _finished;

    /// <summary>Starts the routing thread.</summary>
    /// <param name="pipeline">Where decoded events go.</param>
    /// <param name="decoder">The source's decoder (the MonitorNetwork contract by default).</param>
    /// <param name="paths">One spelling per image path for the whole run (default: spelling only, no volume map).</param>
    /// <param name="flows">Turns the source's packets into flow records (the kernel source); null to post events as decoded.</param>
    public EventRouter(EventPipeline pipeline, IEventDecoder? decoder = null, ImagePathNormalizer? paths = null, Decoding.FlowRecordBuilder? flows = null)
    {
        _pipeline = pipeline;
        _decoder = decoder ?? new ContractDecoder();
        _paths = paths ?? new ImagePathNormalizer(new Dictionary<string, string>());
        _flows = flows;
        _thread = new Thread(RouteLoop) { IsBackground = true, Name = "MonitorNetwork router" };
        _thread.Start();
    }

    /// <summary>The pipeline events go to.</summary>
    public EventPipeline Pipeline => _pipeline;

    /// <summary>Decodes one event (on the caller's thread: the source's) and hands it to the routing thread, or counts why not.</summary>
    public void Route<TView>(in TView view) where TView : IEventView
    {
        var outcome = _decoder.Decode(view, out var decoded);
        if (outcome == DecodeOutcome.Decoded) Post(decoded!);
        else _pipeline.Count(outcome, view.ProviderName, view.EventName, view.EventId);
    }

    /// <summary>Hands an event to the routing thread: a decoded one, or one that did not come through a decoder (the rundown).</summary>
    public void Post(Events.MonitorEvent e)
    {
        if (_queue.Writer.TryWrite(e)) return;
        if (_pipeline.BlocksWhenFull && Volatile.Read(ref _finished) == 0)
        {
            try
            {
                _queue.Writer.WriteAsync(e).AsTask().GetAwaiter().GetResult();
                return;
            }
            catch (ChannelClosedException)
            {
                // Finished while waiting: counted below.
            }
        }
        _pipeline.CountDropped();
    }

    /// <summary>
    /// The source has ended: routes what is queued, posts the last flow records of flows that moved since their
    /// previous one, and ends the routing thread. Idempotent.
    /// </summary>
    public void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        _queue.Writer.TryComplete();
        _thread.Join();
    }

    /// <inheritdoc/>
    public void Dispose() => Finish();

    private void RouteLoop()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var e)) Route(e);
        }
        if (_flows is null) return;
        _built.Clear();
        _flows.Flush(_lastUs, _built);
        foreach (var built in _built) _pipeline.Post(built);
    }

    private void Route(Events.MonitorEvent e)
    {
        e = _paths.Apply(e);
        if (_flows is null)
        {
            _pipeline.Post(e);
            return;
        }
        _lastUs = Math.Max(_lastUs, e.TimestampUs);
        _built.Clear();
        _flows.Add(e, _built);
        foreach (var built in _built) _pipeline.Post(built);
    }
}
