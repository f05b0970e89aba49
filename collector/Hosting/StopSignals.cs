// Ctrl+C / SIGTERM / SIGHUP handling shared by collect and import: the first signal asks for a clean stop (drain
// and commit), a second one exits at once. WAL makes the hard exit safe: an uncommitted batch is simply absent.
// SIGHUP is the terminal going away; on Windows .NET maps closing the console window (CTRL_CLOSE_EVENT) to it, and
// Windows ends the process about 5 s after the handler returns whatever it answers, so that handler waits (at most
// 4.5 s) for the owner to say the drain is done before returning.
using System.Runtime.InteropServices;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Registers SIGINT, SIGTERM and SIGHUP (Ctrl+C, service or system stop, console or terminal close) for a two-stage stop.</summary>
public sealed class StopSignals : IDisposable
{
    /// <summary>The exit code of a second signal (and of an interrupted import): 128 + SIGINT, as shells report it.</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>How long closing the console window may wait for the drain: Windows' own limit is about 5 s.</summary>
    public static readonly TimeSpan ConsoleCloseGrace = TimeSpan.FromSeconds(4.5);

    private readonly Action _requestStop;
    private readonly PosixSignalRegistration[] _registrations;
    private readonly ManualResetEventSlim _drained = new();
    private int _signals;

    private StopSignals(Action requestStop)
    {
        _requestStop = requestStop;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, HandleClose),
        ];
    }

    /// <summary>Calls <paramref name="requestStop"/> on the first signal; exits with 130 on the second.</summary>
    public static StopSignals Register(Action requestStop) => new(requestStop);

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine("monitornetwork: stopping: committing what was received (press Ctrl+C again to exit at once)");
            _requestStop();
        }
        else
        {
            Environment.Exit(InterruptedExitCode);
        }
    }

    private void HandleClose(PosixSignalContext context)
    {
        Handle(context);
        // On Windows returning ends the process: give the drain its chance first. Elsewhere Cancel keeps it alive.
        if (OperatingSystem.IsWindows()) _drained.Wait(ConsoleCloseGrace);
    }

    /// <summary>Says the drain is done (disposing says it too): a console-close handler may return.</summary>
    public void Drained() => _drained.Set();

    /// <inheritdoc/>
    public void Dispose()
    {
        _drained.Set();
        foreach (var r in _registrations) r.Dispose();
        _drained.Dispose();
    }
}
