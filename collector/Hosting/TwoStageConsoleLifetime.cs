// The console lifetime of `collect`: like the default ConsoleLifetime, but a second Ctrl+C exits at once
// instead of waiting for the drain (the default blocks process exit until shutdown completes).
using Microsoft.Extensions.Hosting;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>An <see cref="IHostLifetime"/> for console runs, built on <see cref="StopSignals"/>.</summary>
public sealed class TwoStageConsoleLifetime(IHostApplicationLifetime application) : IHostLifetime, IDisposable
{
    private StopSignals? _signals;

    /// <inheritdoc/>
    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _signals = StopSignals.Register(application.StopApplication);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose() => _signals?.Dispose();
}
