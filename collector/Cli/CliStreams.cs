// Where commands write. Console by default; tests give each in-process run its own writers.
namespace MonitorNetwork.Collector.Cli;

/// <summary>The standard output and error of the current command invocation.</summary>
public static class CliStreams
{
    private static readonly AsyncLocal<TextWriter?> s_out = new();

    /// <summary>Standard output of this invocation.</summary>
    public static TextWriter Out => s_out.Value ?? Console.Out;

    /// <summary>True when standard output is a terminal (never for redirected test writers).</summary>
    public static bool OutIsTerminal => s_out.Value is null && !Console.IsOutputRedirected;

    /// <summary>Routes <see cref="Out"/> to <paramref name="writer"/> for the current async flow.</summary>
    internal static void Use(TextWriter? writer) => s_out.Value = writer;
}
