// monitornetwork: see Cli/CliApp.cs for the commands and README.md for their use.
return await MonitorNetwork.Collector.Cli.CliApp.RunAsync(args).ConfigureAwait(false);
