// `monitornetwork stats`: a one-screen summary of a database.
using System.CommandLine;
using System.Globalization;
using MonitorNetwork.Collector.Configuration;
using MonitorNetwork.Collector.Output;
using MonitorNetwork.Collector.Store;
using Spectre.Console;

namespace MonitorNetwork.Collector.Cli;

/// <summary>Defines and runs the stats command.</summary>
internal static class StatsCommand
{
    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var command = new Command("stats", "Summarise the database: time range, counts, sessions, loss and size on disk") { db };
        command.SetAction(parse =>
        {
            var path = StoreLocation.Resolve(parse.GetValue(db));
            using var connection = StoreDatabase.OpenReadOnly(path);
            Write(StoreStats.Read(connection, path), CliStreams.Out, CliStreams.OutIsTerminal, Export.Ipfix.IpfixLag.Read(connection));
            return (int)ExitCode.Success;
        });
        return command;
    }

    /// <summary>Renders the summary as a two-column grid.</summary>
    internal static void Write(StoreSummary s, TextWriter output, bool terminal, IReadOnlyList<Export.Ipfix.IpfixDestinationLag>? ipfix = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = 4096;
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => grid.AddRow(new Text(name), new Text(DisplayText.OneLine(value)));
        static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        static string T(long? us) => us is { } v ? Events.UnixMicros.Format(v, "yyyy-MM-dd HH:mm:ss.ffffff'Z'") : "-";
        Row("database", s.Path);
        Row("size on disk", $"{s.SizeBytes / 1048576.0:F1} MiB ({N(s.SizeBytes)} bytes, with WAL)");
        Row("schema version", s.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        Row("first event", T(s.FirstUs));
        Row("last event", T(s.LastUs));
        Row("flows", $"{N(s.Flows)} ({N(s.OpenFlows)} open)");
        Row("packets", $"{N(s.Packets)} ({N(s.PacketBytes)} payload bytes, {N(s.Streams)} streams)");
        Row("remote addresses", N(s.RemoteAddresses));
        Row("collector sessions", $"{N(s.Sessions)} (last: {s.LastSessionStatus ?? "-"})");
        Row("events received", N(s.Received));
        Row("events written", N(s.Written));
        Row("loss", $"dropped {N(s.Dropped)}, lost {N(s.Lost)}{(s.BuffersLost > 0 ? $" (and {N(s.BuffersLost)} whole ETW buffers)" : "")}, malformed {N(s.Malformed)}, unknown {N(s.Unknown)}");
        if (s.UnknownKinds.Count > 0)
            Row("unknown events", string.Join("; ", s.UnknownKinds.Take(5).Select(k => $"{k.Kind}: {N(k.Events)}"))
                + (s.UnknownKinds.Count > 5 ? $"; and {s.UnknownKinds.Count - 5} more kinds" : "")
                + " (events no decoder knows: a newer driver's, or another provider's in a recording)");
        if (s.DriverMissingInLastSession) Row("driver", StoreSummary.DriverMissingLine);
        foreach (var d in ipfix ?? [])
            Row($"ipfix {d.Destination}", $"last sent {T(d.LastExportUs)}, {N(d.RecordsSent)} records; {N(d.FlowsNotFinished)} flows not finished for it (open, or segments not sent yet)");
        console.Write(grid);
    }
}
