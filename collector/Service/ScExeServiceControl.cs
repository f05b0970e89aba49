// IServiceControl on Windows through sc.exe, the SCM's own command-line client. The argument lists are built by
// pure functions so that Linux tests check them to the character (quoting of the binary path included); only
// Run touches the OS.
using System.Diagnostics;
using System.Globalization;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Service;

/// <summary>Drives the Service Control Manager through sc.exe.</summary>
public sealed class ScExeServiceControl : IServiceControl
{
    private const int ServiceDoesNotExist = 1060;
    private const int ServiceNotActive = 1062;
    private const int AccessDenied = 5;

    /// <summary>The sc.exe calls that create <paramref name="spec"/>: create, description, and recovery when any.</summary>
    public static IReadOnlyList<string[]> CreateCommands(ServiceSpec spec)
    {
        var create = new List<string>
        {
            "create", spec.Name,
            "type=", spec.KernelDriver ? "kernel" : "own",
            "start=", spec.StartType switch { ServiceStartType.DelayedAutomatic => "delayed-auto", ServiceStartType.Automatic => "auto", _ => "demand" },
            "binPath=", spec.ImagePath,
            "DisplayName=", spec.DisplayName,
        };
        if (spec.Account is { } account) create.AddRange(["obj=", account]);
        if (spec.Dependencies.Count > 0) create.AddRange(["depend=", string.Join('/', spec.Dependencies)]);
        var commands = new List<string[]> { create.ToArray(), new[] { "description", spec.Name, spec.Description } };
        if (spec.RestartDelays.Count > 0)
        {
            var actions = string.Join('/', spec.RestartDelays.Select(d => "restart/" + ((long)d.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)));
            commands.Add(["failure", spec.Name, "reset=", ((long)spec.FailureCountReset.TotalSeconds).ToString(CultureInfo.InvariantCulture), "actions=", actions]);
        }
        return commands;
    }

    /// <summary>
    /// The reg.exe call that gives the service its environment (REG_MULTI_SZ "Environment" under the service's key,
    /// which the SCM applies to the process it starts), or null when it has none.
    /// </summary>
    public static string[]? EnvironmentCommand(ServiceSpec spec) => spec.Environment.Count == 0 ? null :
        ["add", @"HKLM\SYSTEM\CurrentControlSet\Services\" + spec.Name, "/v", "Environment", "/t", "REG_MULTI_SZ", "/d", string.Join(@"\0", spec.Environment), "/f"];

    /// <inheritdoc/>
    public string? Query(string name) => OperatingSystem.IsWindows() ? ServiceState.Of(name) : throw new PlatformNotSupportedException("the SCM is Windows'");

    /// <inheritdoc/>
    public void Create(ServiceSpec spec)
    {
        foreach (var command in CreateCommands(spec))
        {
            var (code, output) = Run(command);
            Check(code, output, command[0] + " " + spec.Name);
        }
        if (EnvironmentCommand(spec) is { } environment)
        {
            var (code, output) = Run(environment, "reg.exe");
            Check(code, output, "add Environment of " + spec.Name, "reg.exe");
        }
    }

    /// <inheritdoc/>
    public void Start(string name)
    {
        var (code, output) = Run(["start", name]);
        Check(code, output, "start " + name);
    }

    /// <inheritdoc/>
    public void Stop(string name)
    {
        var (code, output) = Run(["stop", name]);
        if (code is ServiceNotActive or ServiceDoesNotExist) return;
        Check(code, output, "stop " + name);
        // The collector drains and commits on stop; give it the host's shutdown timeout and a little more.
        var deadline = DateTime.UtcNow + Hosting.CollectorHost.ShutdownTimeout + TimeSpan.FromSeconds(5);
        while (Query(name) is { } state && state != "STOPPED")
        {
            if (DateTime.UtcNow > deadline)
                throw new MonitorNetworkException(FailureKind.ServiceFailed, $"service {name} did not stop within {Hosting.CollectorHost.ShutdownTimeout.TotalSeconds + 5:F0} s (state {state})");
            Thread.Sleep(250);
        }
    }

    /// <inheritdoc/>
    public void Delete(string name)
    {
        var (code, output) = Run(["delete", name]);
        if (code == ServiceDoesNotExist) return;
        Check(code, output, "delete " + name);
    }

    private static void Check(int code, string output, string what, string tool = "sc.exe")
    {
        if (code == 0) return;
        var message = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {code}";
        throw new MonitorNetworkException(code == AccessDenied ? FailureKind.AccessDenied : FailureKind.ServiceFailed,
            code == AccessDenied ? $"{tool} {what}: access denied: run as administrator" : $"{tool} {what}: {message}");
    }

    private static (int Code, string Output) Run(string[] arguments, string tool = "sc.exe")
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new MonitorNetworkException(FailureKind.ServiceFailed, "sc.exe could not be started");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
