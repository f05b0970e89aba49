// monitornetwork-bench: prints the figures behind the README's performance table. See README "Performance".
using System.CommandLine;
using MonitorNetwork.Benchmark;

var dirOption = new Option<string>("--dir") { Description = "Scratch directory", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "mn-bench") };
var packetsOption = new Option<long>("--packets") { DefaultValueFactory = _ => 2_000_000 };
var flowsOption = new Option<int>("--flows") { DefaultValueFactory = _ => 1_000 };
var secondsOption = new Option<int>("--seconds") { DefaultValueFactory = _ => 60 };
var ratesOption = new Option<int[]>("--rates") { DefaultValueFactory = _ => [100_000, 250_000, 400_000], AllowMultipleArgumentsPerToken = true };
var repeatsOption = new Option<int>("--repeats") { DefaultValueFactory = _ => 5 };
var dnsOption = new Option<int>("--dns-per-flow") { Description = "DNS answers written before each flow (10 x 100k flows = 1M)", DefaultValueFactory = _ => 10 };
var existingOption = new Option<string?>("--existing") { Description = "Time the queries on this store instead of building one" };

string Scratch(ParseResult p)
{
    var dir = Path.Combine(p.GetValue(dirOption)!, DateTime.UtcNow.ToString("yyyyMMddHHmmss"));
    Directory.CreateDirectory(dir);
    Console.WriteLine($"machine: {Machine.Describe()}");
    return dir;
}

var store = new Command("store", "Store ingest through the collect path, and the plain-loop baseline") { dirOption, packetsOption, flowsOption };
store.SetAction(p => StoreBenchmark.RunAsync(Scratch(p), p.GetValue(packetsOption), p.GetValue(flowsOption)));
var import = new Command("import", "End-to-end import of a recorded .nettrace, bytes per packet, peak RSS") { dirOption, packetsOption, flowsOption };
import.SetAction(p => ImportBenchmark.RunAsync(Scratch(p), p.GetValue(packetsOption), p.GetValue(flowsOption)));
var traceArgument = new Argument<string>("TRACE");
var dbArgument = new Argument<string>("DB");
var importChild = new Command("import-child") { traceArgument, dbArgument };
importChild.Hidden = true;
importChild.SetAction(p => ImportBenchmark.ChildAsync(p.GetValue(traceArgument)!, p.GetValue(dbArgument)!));
var decode = new Command("decode", "Split import time: TraceEvent parsing, then parsing plus decoding") { traceArgument };
decode.SetAction(p => DecodeBenchmark.RunAsync(p.GetValue(traceArgument)!));
var minutesOption = new Option<int>("--minutes") { DefaultValueFactory = _ => 10 };
var rateOption = new Option<int>("--rate") { DefaultValueFactory = _ => 100_000 };
var bufferOption = new Option<int>("--buffer-mb") { Description = "EventPipe session buffer (in this process, so in its RSS)", DefaultValueFactory = _ => 64 };
var soak = new Command("soak", "Steady live load for many minutes: rate, memory and loss each minute") { dirOption, minutesOption, rateOption, bufferOption };
soak.SetAction(p => SoakBenchmark.RunAsync(Scratch(p), p.GetValue(minutesOption), p.GetValue(rateOption), p.GetValue(bufferOption)));
var soakEmit = new Command("soak-emit") { minutesOption, rateOption };
soakEmit.Hidden = true;
soakEmit.SetAction(p => SoakBenchmark.EmitAsync(p.GetValue(minutesOption), p.GetValue(rateOption)));
var live = new Command("live", "Live EventPipe collection at fixed rates") { dirOption, secondsOption, ratesOption };
live.SetAction(p => LiveBenchmark.RunAsync(Scratch(p), p.GetValue(secondsOption), p.GetValue(ratesOption)!));
var queries = new Command("queries", "Named queries on a large store") { dirOption, packetsOption, flowsOption, repeatsOption, existingOption, dnsOption };
queries.SetAction(p => QueryBenchmark.Run(Scratch(p), p.GetValue(packetsOption), p.GetValue(flowsOption), p.GetValue(repeatsOption), p.GetValue(existingOption), p.GetValue(dnsOption)));

var exportBench = new Command("export", "Parquet export of a day of traffic: rows/s, bytes per flow") { dirOption, packetsOption, flowsOption };
exportBench.SetAction(p => ExportBenchmark.RunAsync(Scratch(p), p.GetValue(packetsOption), p.GetValue(flowsOption)));
var flowCountsOption = new Option<int[]>("--flow-counts") { DefaultValueFactory = _ => [100_000, 1_000_000], AllowMultipleArgumentsPerToken = true };
var exportMemory = new Command("export-memory", "Export of 100k and 1M flows by the CLI under the service's 64 MiB heap: peak RSS") { dirOption, flowCountsOption };
exportMemory.SetAction(p => ExportMemoryBenchmark.RunAsync(Scratch(p), p.GetValue(flowCountsOption)!));
var ipfixFlowsOption = new Option<int>("--flows") { DefaultValueFactory = _ => 100_000 };
var ipfix = new Command("ipfix", "IPFIX export over loopback UDP: records/s, datagrams/s, CPU per 100k flows, loss") { dirOption, ipfixFlowsOption };
ipfix.SetAction(p => IpfixBenchmark.RunAsync(Scratch(p), p.GetValue(ipfixFlowsOption)));
var hoursOption = new Option<int>("--hours") { DefaultValueFactory = _ => 24 };
var flowsPerHourOption = new Option<int>("--flows-per-hour") { DefaultValueFactory = _ => 20_000 };
var packetsPerDayOption = new Option<long>("--packets-per-day") { DefaultValueFactory = _ => 200_000_000 };
var busy = new Command("busy", "A day of a busy host, with packets and with flow records only: store bytes and CPU per hour") { dirOption, hoursOption, flowsPerHourOption, packetsPerDayOption };
busy.SetAction(p => BusyHostBenchmark.RunAsync(Scratch(p), p.GetValue(hoursOption), p.GetValue(flowsPerHourOption), p.GetValue(packetsPerDayOption)));
var programsOption = new Option<int>("--programs") { DefaultValueFactory = _ => 40 };
var usage = new Command("usage", "The usage query on a year of per-program hours") { dirOption, programsOption, repeatsOption };
usage.SetAction(p => UsageBenchmark.Run(Scratch(p), p.GetValue(programsOption), p.GetValue(repeatsOption)));
var outArgument = new Argument<string>("OUT") { Description = "Where to write the recording (recording/demo.nettrace)" };
var demo = new Command("demo", "Write the demo recording a first run imports (recording/make-demo.sh)") { outArgument };
demo.SetAction(p => DemoRecording.WriteAsync(p.GetValue(outArgument)!));

return await new RootCommand("MonitorNetwork benchmarks") { store, import, importChild, decode, live, queries, soak, soakEmit, demo, exportBench, exportMemory, ipfix, busy, usage }.Parse(args).InvokeAsync();
