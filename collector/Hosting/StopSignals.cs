// Ctrl+C / SIGTERM handling shared by collect and import: the first signal asks for a clean stop (drain and
// commit), a second one exits at once. WAL makes the hard exit safe: an uncommitted batch is simply absent.
using System.Runtime.InteropServices;
using MonitorNetwork.Collector.Cli;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Registers SIGINT and SIGTERM (Ctrl+C, console close on Windows) for a two-stage stop.</summary>
public sealed class StopSignals : IDisposable
{
    private readonly Action _requestStop;
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    private StopSignals(Action requestStop)
    {
        _requestStop = requestStop;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
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
            Environment.Exit((int)ExitCode.Interrupted);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
