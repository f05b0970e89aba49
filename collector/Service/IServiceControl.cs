// The seam at the Service Control Manager: the few things install, uninstall and status need. Windows implements
// it with sc.exe (ScExeServiceControl); tests use a fake that records every request.
namespace MonitorNetwork.Collector.Service;

/// <summary>Creates, starts, stops, deletes and queries services.</summary>
public interface IServiceControl
{
    /// <summary>The service's state ("RUNNING", "STOPPED", ...), or null when no such service is installed.</summary>
    string? Query(string name);

    /// <summary>Creates the service with everything <paramref name="spec"/> says (description and recovery included).</summary>
    void Create(ServiceSpec spec);

    /// <summary>Starts the service.</summary>
    void Start(string name);

    /// <summary>Stops the service if it runs, and waits (bounded) until it has stopped.</summary>
    void Stop(string name);

    /// <summary>Deletes the service.</summary>
    void Delete(string name);
}
