// Runs the CLI in-process with its own output and error writers, as a user's shell would see them.
namespace MonitorNetwork.Collector.Tests.TestSupport;

internal static class CliRun
{
    /// <summary>The exit code, standard output and standard error of <c>monitornetwork ARGS</c>.</summary>
    public static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Collector.Cli.CliApp.RunAsync(args, error, output);
        return (code, output.ToString(), error.ToString());
    }
}
