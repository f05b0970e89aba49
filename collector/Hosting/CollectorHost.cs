// Builds the generic host for `collect`: appsettings.json, then the service's settings file when given (--settings),
// then MONITORNETWORK_ environment variables, then the
// options given on the command line; Windows service
// support; the two-stage console lifetime when not running as a service.
using MonitorNetwork.Collector.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.WindowsServices;

namespace MonitorNetwork.Collector.Hosting;

/// <summary>Creates the collector host.</summary>
public static class CollectorHost
{
    /// <summary>The Windows service name used in the README's sc.exe steps.</summary>
    public const string ServiceName = "MonitorNetwork";

    /// <summary>Longest a stop waits for the drain and final commit before the host gives up.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Builds a host whose <see cref="CollectorWorker"/> reads from <paramref name="sourceFactory"/>.</summary>
    /// <param name="overrides">Configuration keys such as "Collector:DatabasePath" given on the command line.</param>
    /// <param name="sourceFactory">Creates the live source.</param>
    /// <param name="programDirectory">Where appsettings.json is read from: the program's directory unless a test says.</param>
    /// <param name="settingsFile">A JSON settings file read after appsettings.json (the service's, in ProgramData).</param>
    /// <param name="nameOf">How a bad setting is named in the failure (a CollectorOptions property to "--option" or "Collector:Key").</param>
    public static IHost Build(IReadOnlyDictionary<string, string?> overrides, TraceSourceFactory sourceFactory, string? programDirectory = null, string? settingsFile = null,
        Func<string, string>? nameOf = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = programDirectory ?? AppContext.BaseDirectory,
        });
        if (settingsFile is not null) builder.Configuration.AddJsonFile(Path.GetFullPath(settingsFile), optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables("MONITORNETWORK_");
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Services.Configure<CollectorOptions>(builder.Configuration.GetSection(CollectorOptions.Section));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddWindowsService(o => o.ServiceName = ServiceName);
        if (!WindowsServiceHelpers.IsWindowsService())
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, TwoStageConsoleLifetime>();
        builder.Services.AddSingleton(sourceFactory);
        builder.Services.AddSingleton(sp => CollectorSettings.From(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<CollectorOptions>>().Value, nameOf));
        builder.Services.AddSingleton<CollectorWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CollectorWorker>());
        builder.Services.AddSingleton<PeriodicExporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PeriodicExporter>());
        return builder.Build();
    }
}
