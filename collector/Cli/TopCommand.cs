// `monitornetwork top [--db PATH] [--interval 2s] [--sort total|in|out|packets|flows|name] [--rows N] [--once]`: a live view
// of the busiest processes and remotes, read from the store while a collector or an import writes it.
using System.CommandLine;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Decoding;
using MonitorNetwork.Collector.Sources;
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Top;
using MonitorNetwork.Collector.Service;
using Spectre.Console;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the top command.</summary>
internal static class TopCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var interval = new Option<string>("--interval") { Description = "Time between refreshes", DefaultValueFactory = _ => "2s", HelpName = "T" };
        var sort = new Option<string>("--sort") { Description = "Order: total, in, out, packets, flows or name (keys b, i, o, p, f, n while running; ? lists every key)", DefaultValueFactory = _ => "total", HelpName = "ORDER" };
        var rows = new Option<int>("--rows") { Description = "Rows per table", DefaultValueFactory = _ => 10, HelpName = "N" };
        var once = new Option<bool>("--once") { Description = "Print one snapshot and exit (also when the output is not a terminal)" };
        var live = new Option<bool>("--live") { Description = "Windows: read events from an ETW session (the driver, else Kernel-Network) instead of the store" };
        var command = new Command("top", "Live view of the busiest processes and remotes in the newest minute of the store; q quits") { db, interval, sort, rows, once, live };
        command.SetAction(async (parse, token) =>
        {
            var period = DurationParser.Parse(parse.GetValue(interval)!);
            if (period < TimeSpan.FromMilliseconds(100)) throw new MonitorNetworkException(FailureKind.Usage, "--interval must be at least 100ms");
            if (!Enum.TryParse<TopSort>(parse.GetValue(sort), ignoreCase: true, out var order) || !Enum.IsDefined(order))
                throw new MonitorNetworkException(FailureKind.Usage, $"--sort: '{parse.GetValue(sort)}' is not total, in, out, packets, flows or name");
            var count = parse.GetValue(rows);
            if (count is < 1 or > ReportCommand.MaxTop) throw new MonitorNetworkException(FailureKind.Usage, $"--rows: {count} is out of range (1 to {ReportCommand.MaxTop})");
            if (parse.GetValue(live))
            {
                if (!OperatingSystem.IsWindows())
                    throw new MonitorNetworkException(FailureKind.NotSupportedOnThisOS, "top --live needs Windows (it opens an ETW real-time session); elsewhere top reads the store");
                await RunLiveSessionAsync(CreateEtwSource(), order, count, period, token).ConfigureAwait(false);
                return (int)ExitCode.Success;
            }
            var path = StoreLocation.Resolve(parse.GetValue(db));
            var first = TopReader.Read(path); // a missing or foreign store fails here, as one line, before the screen changes
            if (parse.GetValue(once) || !CliStreams.OutIsTerminal || Console.IsInputRedirected)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(CliStreams.Out), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
                console.Profile.Width = 120; // a wide table, but one that fits a log line or an e-mail
                console.Write(TopView.Render(first, order, count, path, DateTimeOffset.UtcNow));
                return (int)ExitCode.Success;
            }
            await RunLiveAsync(path, first, () => TopReader.Read(path), order, count, period, token).ConfigureAwait(false);
            return (int)ExitCode.Success;
        });
        return command;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static ITraceSource CreateEtwSource() =>
        new EtwRealTimeSource(new EtwSessionOptions("MonitorNetwork-top", 64, Force: false),
            EtwProvider.Choose("auto", ProviderContract.Keywords.Flow | ProviderContract.Keywords.Packet, DriverServiceProbe.IsRunning, dns: false),
            new TraceEventEtwSessionFactory());

    /// <summary>The view over an event source instead of the store; a source that fails ends the view with its error.</summary>
    internal static async Task RunLiveSessionAsync(ITraceSource source, TopSort order, int count, TimeSpan period, CancellationToken token)
    {
        // Declared first so it outlives the session: disposing the session ends the source, whose continuation cancels it.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(token);
        await using var session = new LiveTopSession(source);
        _ = session.Running.ContinueWith(_ => ended.Cancel(), TaskScheduler.Default);
        await RunLiveAsync(source.Detail ?? source.Kind, TopSnapshot.Empty, session.Window.Snapshot, order, count, period, ended.Token).ConfigureAwait(false);
        if (session.Running.IsFaulted) await session.Running.ConfigureAwait(false); // its failure, as one line and an exit code
    }

    /// <summary>Refreshes until q, Ctrl+C or cancellation, on the alternate screen so the terminal is left as it was.</summary>
    private static async Task RunLiveAsync(string path, TopSnapshot first, Func<TopSnapshot> read, TopSort order, int count, TimeSpan period, CancellationToken token)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var console = AnsiConsole.Console;
        try
        {
            console.Write(new ControlCode("\u001b[?1049h\u001b[?25l")); // alternate screen, hidden cursor
            var snapshot = first;
            string? problem = null;
            var state = new TopView.ViewState();
            // Rows that fit the terminal with the header, whatever --rows asks: a header scrolled off is a view lost.
            int Fit() => TopView.RowsThatFit(Console.WindowHeight > 0 ? Console.WindowHeight : 24, count);
            int Width() => Console.WindowWidth > 0 ? Console.WindowWidth : 80;
            await console.Live(TopView.Render(snapshot, order, Fit(), path, DateTimeOffset.UtcNow, state, Width())).AutoClear(true).StartAsync(async context =>
            {
                var next = DateTime.UtcNow + period;
                var redraw = false;
                while (!stop.IsCancellationRequested)
                {
                    while (Console.KeyAvailable)
                    {
                        var pressed = Console.ReadKey(intercept: true);
                        (state, order, var quit) = TopKeys.Apply(state, order, pressed.Key, pressed.KeyChar);
                        if (quit) stop.Cancel();
                        redraw = true;
                    }
                    if (stop.IsCancellationRequested) break;
                    if (redraw || (!state.Paused && DateTime.UtcNow >= next))
                    {
                        if (!state.Paused && DateTime.UtcNow >= next)
                        {
                            try
                            {
                                snapshot = read();
                                problem = null;
                            }
                            catch (MonitorNetworkException ex)
                            {
                                problem = ex.Message; // a busy or briefly unreadable store: keep the last view and say so
                            }
                            next = DateTime.UtcNow + period;
                        }
                        redraw = false;
                        var view = TopView.Render(snapshot, order, Fit(), path, DateTimeOffset.UtcNow, state, Width());
                        context.UpdateTarget(problem is null ? view : new Rows(view, new Markup("[red]" + Markup.Escape(problem) + "[/]")));
                    }
                    try { await Task.Delay(50, stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            console.Write(new ControlCode("\u001b[?25h\u001b[?1049l")); // cursor back, main screen back
        }
    }
}
