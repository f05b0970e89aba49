// service install, uninstall and status through the SCM seam, on Linux: the exact configuration requested (account,
// start type, recovery back-off, binary path quoting), the order of steps, refusals, and the sc.exe calls to the
// character. The real sc.exe runs only on Windows.
using MonitorNetwork.Collector.Failures;
using MonitorNetwork.Collector.Service;
using MonitorNetwork.Collector.Tests.TestSupport;

namespace MonitorNetwork.Collector.Tests;

public class ServiceTests
{
    /// <summary>An SCM that records every request and keeps the services it was asked to create.</summary>
    private sealed class FakeScm : IServiceControl
    {
        public Dictionary<string, string> States { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<ServiceSpec> Created { get; } = [];
        public List<string> Calls { get; } = [];

        /// <summary>The nth change (create, start, stop, delete; 1-based) fails, as sc.exe reports a failure; 0: none.</summary>
        public int FailAt { get; set; }
        /// <summary>Changes that fail every time (an undo that cannot be done), by call text such as "delete MonitorNetwork".</summary>
        public HashSet<string> AlwaysFail { get; } = [];
        private int _changes;

        public string? Query(string name) => States.GetValueOrDefault(name);
        public void Create(ServiceSpec spec) { Change("create " + spec.Name, 1073, "The specified service already exists."); Created.Add(spec); States[spec.Name] = "STOPPED"; }
        public void Start(string name) { Change("start " + name, 1053, "The service did not respond to the start or control request in a timely fashion."); States[name] = "RUNNING"; }
        public void Stop(string name) { Change("stop " + name, 1061, "The service cannot accept control messages at this time."); States[name] = "STOPPED"; }
        public void Delete(string name) { Change("delete " + name, 1072, "The specified service has been marked for deletion."); States.Remove(name); }

        // As ScExeServiceControl reports a failed sc.exe call: ServiceFailed, naming the call and Windows' error.
        private void Change(string call, int error, string message)
        {
            Calls.Add(call);
            if (++_changes == FailAt || AlwaysFail.Contains(call))
            {
                Calls[^1] = "!" + call;
                throw new MonitorNetworkException(FailureKind.ServiceFailed, $"sc.exe {call}: [SC] FAILED {error}: {message}");
            }
        }
    }

    private static readonly string[] s_program = [@"C:\Program Files\MonitorNetwork\monitornetwork.exe"];
    private static readonly string s_settings = Path.GetFullPath("/ProgramData/MonitorNetwork/service-settings.json");

    [Fact]
    public void Install_RequestsTheCollectorServiceFieldByField()
    {
        var scm = new FakeScm();
        var spec = ServiceInstaller.CollectorSpec(s_program, s_settings);
        new ServiceInstaller(scm).Install(spec, driverSysPath: null);

        var created = Assert.Single(scm.Created);
        Assert.Equal("MonitorNetwork", created.Name);
        Assert.False(created.KernelDriver);
        Assert.Equal(ServiceStartType.DelayedAutomatic, created.StartType);
        Assert.Equal("LocalSystem", created.Account);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)], created.RestartDelays);
        Assert.Equal(TimeSpan.FromDays(1), created.FailureCountReset);
        Assert.Equal($@"""C:\Program Files\MonitorNetwork\monitornetwork.exe"" collect --settings {s_settings}", created.ImagePath);
        Assert.False(string.IsNullOrWhiteSpace(created.Description));
        Assert.Equal(["create MonitorNetwork", "start MonitorNetwork"], scm.Calls);
    }

    [Fact]
    public void Install_WithDriver_CreatesAndStartsTheDriverFirst()
    {
        using var dir = new TempDirectory();
        var sys = dir.File("MonitorNetwork.sys");
        File.WriteAllBytes(sys, [0x4D, 0x5A]);
        var scm = new FakeScm();
        new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, dir.File("my settings.json")), sys);

        Assert.Equal(["create MonitorNetworkDriver", "start MonitorNetworkDriver", "create MonitorNetwork", "start MonitorNetwork"], scm.Calls);
        var driver = scm.Created[0];
        Assert.True(driver.KernelDriver);
        Assert.Equal(ServiceStartType.Automatic, driver.StartType); // at boot, so a reboot keeps it
        Assert.Equal(["BFE"], driver.Dependencies);
        Assert.Null(driver.Account);
        Assert.Empty(driver.RestartDelays);
        Assert.Equal(Path.GetFullPath(sys), driver.ImagePath); // no space in the temp path: no quotes needed
        Assert.EndsWith($"collect --settings \"{Path.GetFullPath(dir.File("my settings.json"))}\"", scm.Created[1].ImagePath);
    }

    [Fact]
    public void Install_Twice_RefusedWithOneLineAndItsExitCode()
    {
        var scm = new FakeScm();
        scm.States["MonitorNetwork"] = "RUNNING";
        var ex = Assert.Throws<MonitorNetworkException>(() => new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, s_settings), null));
        Assert.Equal(FailureKind.ServiceFailed, ex.Kind);
        Assert.Equal(13, (int)Cli.Failure.ToExitCode(ex.Kind));
        Assert.Contains("already installed (running)", ex.Message);
        Assert.Empty(scm.Calls);
    }

    [Fact]
    public void Install_MissingDriverFile_NotFoundBeforeAnythingIsCreated()
    {
        var scm = new FakeScm();
        var ex = Assert.Throws<MonitorNetworkException>(() => new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, s_settings), "/nonexistent/MonitorNetwork.sys"));
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Empty(scm.Created);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_AStepFails_EveryEarlierStepIsUndone_AndTheErrorSaysSo(bool withDriver)
    {
        using var dir = new TempDirectory();
        var sys = dir.File("MonitorNetwork.sys");
        File.WriteAllBytes(sys, [0x4d, 0x5a]);
        var steps = withDriver ? 4 : 2; // create+start driver, create+start collector
        for (var failAt = 1; failAt <= steps; failAt++)
        {
            var scm = new FakeScm { FailAt = failAt };
            var ex = Assert.Throws<MonitorNetworkException>(() =>
                new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, s_settings), withDriver ? sys : null));
            Assert.Equal(FailureKind.ServiceFailed, ex.Kind);
            Assert.Empty(scm.States); // as it was before
            Assert.StartsWith("sc.exe ", ex.Message, StringComparison.Ordinal);
            Assert.EndsWith("(install rolled back: nothing was left installed)", ex.Message, StringComparison.Ordinal);
            Assert.Single(ex.Message.Split('\n'));
        }
    }

    [Fact]
    public void Install_Fails_ADriverServiceThatWasThereBefore_IsLeftAsItWas()
    {
        using var dir = new TempDirectory();
        var sys = dir.File("MonitorNetwork.sys");
        File.WriteAllBytes(sys, [0x4d, 0x5a]);
        var scm = new FakeScm { FailAt = 2 }; // create collector ok, start collector fails
        scm.States[ServiceInstaller.DriverService] = "RUNNING";
        Assert.Throws<MonitorNetworkException>(() => new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, s_settings), sys));
        Assert.Equal("RUNNING", scm.States[ServiceInstaller.DriverService]);
        Assert.False(scm.States.ContainsKey(ServiceInstaller.CollectorService));
        Assert.DoesNotContain(scm.Calls, c => c.Contains(ServiceInstaller.DriverService, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Install_FailsAndAnUndoFailsToo_TheLineNamesWhatIsLeft_Exit13()
    {
        using var dir = new TempDirectory();
        var sys = dir.File("MonitorNetwork.sys");
        File.WriteAllBytes(sys, [0x4d, 0x5a]);
        var scm = new FakeScm { FailAt = 4 }; // the collector's start fails...
        scm.AlwaysFail.Add("delete MonitorNetworkDriver"); // ...and the driver's service cannot be deleted (marked for deletion)
        var saved = Cli.ServiceCommand.Control;
        var savedProgram = Cli.ServiceCommand.Program;
        Cli.ServiceCommand.Control = () => scm;
        var program = new ProgramFolder(AppContext.BaseDirectory, dir.File("Program Files/MonitorNetwork"));
        Cli.ServiceCommand.Program = () => program;
        try
        {
            using var error = new StringWriter();
            Assert.Equal(13, await Cli.CliApp.RunAsync(["service", "install", "--with-driver", sys], error, TextWriter.Null));
            var line = Assert.Single(error.ToString().Trim().Split('\n'));
            Assert.Contains("sc.exe start MonitorNetwork: [SC] FAILED 1053", line, StringComparison.Ordinal);
            Assert.Contains("could not undo: delete MonitorNetworkDriver; run 'monitornetwork service uninstall'", line, StringComparison.Ordinal);
            Assert.Equal("STOPPED", scm.States[ServiceInstaller.DriverService]); // stopped, at least
            Assert.False(scm.States.ContainsKey(ServiceInstaller.CollectorService));
            Assert.False(Directory.Exists(program.Target)); // the program copy went too
            Assert.Empty(Directory.GetDirectories(dir.File("Program Files")));
        }
        finally
        {
            Cli.ServiceCommand.Control = saved;
            Cli.ServiceCommand.Program = savedProgram;
        }
    }

    /// <summary>A built program's folder, as the user has it: writable by them.</summary>
    private static string UserProgram(TempDirectory dir)
    {
        var source = dir.File("user/.dotnet/tools/.store/monitornetwork/tools/net10.0/any");
        Directory.CreateDirectory(Path.Combine(source, "runtimes", "win-x64"));
        File.WriteAllText(Path.Combine(source, "monitornetwork.dll"), "program");
        File.WriteAllText(Path.Combine(source, "appsettings.json"), "{}");
        File.WriteAllText(Path.Combine(source, "runtimes", "win-x64", "e_sqlite3.dll"), "native");
        return source;
    }

    [Fact]
    public void Install_RunsTheServiceFromItsOwnCopy_NeverFromTheUsersFolder()
    {
        using var dir = new TempDirectory();
        var source = UserProgram(dir);
        var program = new ProgramFolder(source, dir.File("Program Files/MonitorNetwork"));
        var scm = new FakeScm();
        // The .NET tool's shim lives in the user's profile, outside the program folder: it is not named at all.
        var invocation = program.Relocate([dir.File("user/.dotnet/tools/monitornetwork.exe")], "monitornetwork.dll", @"C:\Program Files\dotnet\dotnet.exe");
        new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(invocation, s_settings), null, program);

        var image = Assert.Single(scm.Created).ImagePath;
        Assert.StartsWith($"\"C:\\Program Files\\dotnet\\dotnet.exe\" \"{program.Target}{Path.DirectorySeparatorChar}monitornetwork.dll\" collect", image, StringComparison.Ordinal);
        Assert.DoesNotContain(dir.File("user"), image, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(Path.Combine(program.Target, Path.GetRelativePath(source, file))));
        Assert.Single(Directory.GetDirectories(dir.File("Program Files"))); // no .new/.old left beside it

        Assert.True(new ServiceInstaller(scm).Uninstall(program));
        Assert.False(Directory.Exists(program.Target));
        Assert.True(File.Exists(Path.Combine(source, "monitornetwork.dll"))); // the user's own copy is theirs
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Install_FailsAtAnyStep_AnEarlierProgramCopyIsPutBack(int failAt)
    {
        using var dir = new TempDirectory();
        var sys = dir.File("MonitorNetwork.sys");
        File.WriteAllBytes(sys, [0x4d, 0x5a]);
        var program = new ProgramFolder(UserProgram(dir), dir.File("Program Files/MonitorNetwork"));
        Directory.CreateDirectory(program.Target);
        File.WriteAllText(Path.Combine(program.Target, "monitornetwork.dll"), "the earlier version");
        var scm = new FakeScm { FailAt = failAt };
        var ex = Assert.Throws<MonitorNetworkException>(() =>
            new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, s_settings), sys, program));
        Assert.EndsWith("(install rolled back: nothing was left installed)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(scm.States);
        Assert.Equal("the earlier version", File.ReadAllText(Path.Combine(program.Target, "monitornetwork.dll")));
        Assert.Single(Directory.GetDirectories(dir.File("Program Files")));
    }

    [Fact]
    public void Install_AProgramFolderHoldingALink_IsRefused_NothingCopiedNothingCreated()
    {
        using var dir = new TempDirectory();
        var source = UserProgram(dir);
        Directory.CreateDirectory(dir.File("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(source, "plugins"), dir.File("elsewhere"));
        var program = new ProgramFolder(source, dir.File("Program Files/MonitorNetwork"));
        var scm = new FakeScm();
        var ex = Assert.Throws<MonitorNetworkException>(() => new ServiceInstaller(scm).Install(ServiceInstaller.CollectorSpec(s_program, s_settings), null, program));
        Assert.Contains("is a link", ex.Message, StringComparison.Ordinal);
        Assert.Empty(scm.Calls);
        Assert.Empty(Directory.GetDirectories(dir.File("Program Files")));
    }

    [Fact]
    public void Install_FromTheServicesOwnCopy_IsRefused()
    {
        using var dir = new TempDirectory();
        var target = dir.File("Program Files/MonitorNetwork");
        Directory.CreateDirectory(target);
        var ex = Assert.Throws<MonitorNetworkException>(() => new ProgramFolder(target, target).Place());
        Assert.Equal(FailureKind.Usage, ex.Kind);
    }

    [Fact]
    public void Relocate_NamesTheCopy_ForEachWayTheProgramWasStarted()
    {
        using var dir = new TempDirectory();
        var source = dir.File("build");
        var program = new ProgramFolder(source, dir.File("pf"));
        var host = "/usr/share/dotnet/dotnet";
        Assert.Equal([Path.Combine(program.Target, "monitornetwork")], program.Relocate([Path.Combine(source, "monitornetwork")], "monitornetwork.dll", host)); // apphost
        Assert.Equal([host, Path.Combine(program.Target, "monitornetwork.dll")], program.Relocate([host, Path.Combine(source, "monitornetwork.dll")], "monitornetwork.dll", host)); // dotnet x.dll
        Assert.Equal([host, Path.Combine(program.Target, "monitornetwork.dll")], program.Relocate([dir.File("shim/monitornetwork")], "monitornetwork.dll", host)); // tool shim
        Assert.True(File.Exists(ProgramFolder.DotnetHost()) || !OperatingSystem.IsLinux(), ProgramFolder.DotnetHost());
    }

    /// <summary>Runs `service install|uninstall ...` against the fake SCM, a temporary Program Files and ProgramData.</summary>
    private static async Task<(int Code, string Out, string Error)> ServiceCli(FakeScm scm, TempDirectory dir, params string[] args)
    {
        var (control, program, settings) = (Cli.ServiceCommand.Control, Cli.ServiceCommand.Program, Cli.ServiceCommand.SettingsPath);
        Cli.ServiceCommand.Control = () => scm;
        Cli.ServiceCommand.Program = () => new ProgramFolder(UserProgram(dir), dir.File("Program Files/MonitorNetwork"));
        Cli.ServiceCommand.SettingsPath = () => dir.File("ProgramData/MonitorNetwork/service-settings.json");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await Cli.CliApp.RunAsync(args, error, output);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            (Cli.ServiceCommand.Control, Cli.ServiceCommand.Program, Cli.ServiceCommand.SettingsPath) = (control, program, settings);
        }
    }

    [Fact]
    public async Task Install_TakesEveryCollectOption_IntoAPrivateSettingsFileTheServiceReads()
    {
        using var dir = new TempDirectory();
        var scm = new FakeScm();
        var (code, output, error) = await ServiceCli(scm, dir, "service", "install", "--db", "my.db", "--source", "kernel", "--keywords", "all",
            "--retention", "3d", "--max-size", "2GB", "--no-dns", "--export-to", "lake", "--export-every", "1h");
        Assert.True(code == 0, error);
        var file = dir.File("ProgramData/MonitorNetwork/service-settings.json");
        Assert.Contains($"settings: {file}", output, StringComparison.Ordinal);
        Assert.EndsWith($"collect --settings {file}", Assert.Single(scm.Created).ImagePath, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) // Windows: the folder's ACL, checklist step S1
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // What the service's `collect --settings FILE` binds: every option given, paths absolute.
        using var host = Hosting.CollectorHost.Build(new Dictionary<string, string?>(), (_, _) => throw new InvalidOperationException("not started"), dir.Path, file);
        var o = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.CollectorOptions>>(host.Services).Value;
        Assert.Equal((Path.GetFullPath("my.db"), "kernel", "all", "3d", "2GB", false, Path.GetFullPath("lake"), "1h"),
            (o.DatabasePath, o.Source, o.Keywords, o.PacketRetention, o.MaxDatabaseSize, o.Dns, o.ExportTo, o.ExportEvery));
    }

    [Fact]
    public async Task Update_UninstallThenInstallWithoutOptions_KeepsTheSettings_AFailedInstallPutsThemBack()
    {
        using var dir = new TempDirectory();
        var file = dir.File("ProgramData/MonitorNetwork/service-settings.json");
        var scm = new FakeScm();
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "install", "--keywords", "all")).Code);
        var first = File.ReadAllText(file);
        // An update: uninstall keeping the settings, update the tool, install again without options.
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "uninstall", "--keep-settings")).Code);
        Assert.True(File.Exists(file));
        Assert.False(Directory.Exists(dir.File("Program Files/MonitorNetwork")));
        var (code, output, _) = await ServiceCli(scm, dir, "service", "install");
        Assert.Equal(0, code);
        Assert.Contains("settings: kept those of the earlier install", output, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(file));

        // A reinstall with new options whose last step fails leaves the old settings in place.
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "uninstall", "--keep-settings")).Code);
        var failing = new FakeScm { FailAt = 2 };
        Assert.Equal(13, (await ServiceCli(failing, dir, "service", "install", "--keywords", "flow")).Code);
        Assert.Equal(first, File.ReadAllText(file));

        // A plain uninstall removes all of it but the store.
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "install")).Code);
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "uninstall")).Code);
        Assert.False(File.Exists(file));
        Assert.Empty(scm.States);
    }

    [Fact]
    public async Task Uninstall_KeepsTheStore_UnlessAsked_AndStatusFindsTheStoreTheSettingsName()
    {
        using var dir = new TempDirectory();
        var db = dir.File("data/service.db");
        Assert.Equal(0, await Cli.CliApp.RunAsync(["import", RepoFiles.ContractV1Recording, "--db", db], TextWriter.Null, TextWriter.Null));
        var scm = new FakeScm();
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "install", "--db", db)).Code);
        var (_, status, _) = await ServiceCli(scm, dir, "service", "status");
        Assert.Contains($"store: {db}", status, StringComparison.Ordinal); // the settings' store, with no --db
        Assert.Contains("last session: 1 nettrace completed", status, StringComparison.Ordinal);

        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "uninstall")).Code);
        Assert.True(File.Exists(db));
        Assert.Equal(0, (await ServiceCli(scm, dir, "service", "install", "--db", db)).Code);
        File.WriteAllText(db + "-wal", ""); // as a stopped collector may leave them
        var (code, output, _) = await ServiceCli(scm, dir, "service", "uninstall", "--delete-store");
        Assert.Equal(0, code);
        Assert.Contains($"deleted the store {db}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("the store is kept", output, StringComparison.Ordinal);
        Assert.False(File.Exists(db) || File.Exists(db + "-wal"));
        Assert.Empty(scm.States);
    }

    [Theory]
    [InlineData("--duration", "1m")]
    [InlineData("--force")]
    public async Task Install_RefusesOptionsThatMakeNoSenseForAService(params string[] option)
    {
        using var dir = new TempDirectory();
        var scm = new FakeScm();
        var (code, _, error) = await ServiceCli(scm, dir, ["service", "install", .. option]);
        Assert.Equal(2, code);
        Assert.Contains(option[0], error, StringComparison.Ordinal);
        Assert.Empty(scm.Calls);
    }

    [Fact]
    public void Uninstall_StopsAndDeletesBoth_AndKeepsTheStore()
    {
        using var dir = new TempDirectory();
        var store = dir.File("monitornetwork.db");
        File.WriteAllText(store, "kept");
        var scm = new FakeScm();
        scm.States["MonitorNetwork"] = "RUNNING";
        scm.States["MonitorNetworkDriver"] = "RUNNING";
        Assert.True(new ServiceInstaller(scm).Uninstall());
        Assert.Equal(["stop MonitorNetwork", "delete MonitorNetwork", "stop MonitorNetworkDriver", "delete MonitorNetworkDriver"], scm.Calls);
        Assert.True(File.Exists(store));
        Assert.False(new ServiceInstaller(new FakeScm()).Uninstall());
    }

    [Fact]
    public void ScExe_CreateCommands_AreExact()
    {
        var spec = ServiceInstaller.CollectorSpec(s_program, s_settings);
        var commands = ScExeServiceControl.CreateCommands(spec);
        Assert.Equal(
        [
            ["create", "MonitorNetwork", "type=", "own", "start=", "delayed-auto", "binPath=", $@"""C:\Program Files\MonitorNetwork\monitornetwork.exe"" collect --settings {s_settings}", "DisplayName=", "MonitorNetwork collector", "obj=", "LocalSystem"],
            ["description", "MonitorNetwork", spec.Description],
            ["failure", "MonitorNetwork", "reset=", "86400", "actions=", "restart/5000/restart/30000/restart/120000"],
        ], commands);
        // The service's memory ceiling, in the environment the SCM gives its process (Hosting/HeapLimit.cs): 64 MiB.
        Assert.Equal(["add", @"HKLM\SYSTEM\CurrentControlSet\Services\MonitorNetwork", "/v", "Environment", "/t", "REG_MULTI_SZ", "/d", "DOTNET_GCHeapHardLimit=0x4000000", "/f"],
            ScExeServiceControl.EnvironmentCommand(spec)!);
        var driver = ScExeServiceControl.CreateCommands(ServiceInstaller.DriverSpec(@"C:\drivers\MonitorNetwork.sys"));
        Assert.Equal(2, driver.Count); // no recovery for a driver
        Assert.Null(ScExeServiceControl.EnvironmentCommand(ServiceInstaller.DriverSpec(@"C:\drivers\MonitorNetwork.sys")));
        // At boot, after the Base Filtering Engine: a demand-start driver was gone after the first reboot.
        Assert.Equal(["create", "MonitorNetworkDriver", "type=", "kernel", "start=", "auto"], driver[0][..6]);
        Assert.Equal(["depend=", "BFE"], driver[0][^2..]);
    }

    [Theory]
    [InlineData(1, "STOPPED")]
    [InlineData(2, "START_PENDING")]
    [InlineData(3, "STOP_PENDING")]
    [InlineData(4, "RUNNING")]
    [InlineData(5, "CONTINUE_PENDING")]
    [InlineData(6, "PAUSE_PENDING")]
    [InlineData(7, "PAUSED")]
    [InlineData(0, "UNKNOWN")]
    public void ServiceState_IsTheScmsNumber_NeverLocalizedText(int currentState, string word) =>
        Assert.Equal(word, ServiceState.Word(currentState)); // SERVICE_STATUS.dwCurrentState (winsvc.h), as QueryServiceStatusEx returns it

    [Fact]
    public void ServiceState_AgreesWithServiceControllersOwnNumbers()
    {
#pragma warning disable CA1416 // enum constants only: nothing is called
        foreach (var status in Enum.GetValues<System.ServiceProcess.ServiceControllerStatus>())
            Assert.Equal(System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<=[a-z])(?=[A-Z])", "_").ToUpperInvariant(), ServiceState.Word((int)status));
#pragma warning restore CA1416
    }

    [Fact]
    public void CommandLine_QuotesOnlyWhatNeedsIt()
    {
        Assert.Equal(@"a.exe collect --db ""C:\my data\x.db"" """"", ServiceInstaller.CommandLine([@"a.exe", "collect", "--db", @"C:\my data\x.db", ""]));
        Assert.Equal(@"""say \""hi\""""", ServiceInstaller.CommandLine([@"say ""hi"""]));
    }

    [Fact]
    public void ProgramInvocation_UnderTheDotnetHost_IncludesTheAssembly()
    {
        Assert.Equal([@"C:\tools\monitornetwork.exe"], ProgramInvocation.For(@"C:\tools\monitornetwork.exe", @"C:\tools\monitornetwork.dll"));
        Assert.Equal(["/usr/share/dotnet/dotnet", "/opt/mn/monitornetwork.dll"], ProgramInvocation.For("/usr/share/dotnet/dotnet", "/opt/mn/monitornetwork.dll"));
    }

    [Fact]
    public async Task Status_OnAnyOs_ShowsServicesStoreNewestEventAndLastSession()
    {
        using var dir = new TempDirectory();
        var db = dir.File("s.db");
        Assert.Equal(0, await Cli.CliApp.RunAsync(["import", RepoFiles.ContractV1Recording, "--db", db], TextWriter.Null, TextWriter.Null));
        var scm = new FakeScm();
        scm.States["MonitorNetwork"] = "RUNNING";
        using var output = new StringWriter();
        Cli.ServiceCommand.WriteStatus(scm, db, output);
        var text = output.ToString();
        Assert.Contains("service MonitorNetwork: running", text);
        Assert.Contains("service MonitorNetworkDriver: not installed", text);
        Assert.Contains($"store: {db}", text);
        Assert.Matches(@"newest event: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", text);
        Assert.Contains("last session: 1 nettrace completed: received 2,942, written 2,942, dropped 0, lost 0, malformed 0, unknown 1", text);

        using var linux = new StringWriter();
        Cli.ServiceCommand.WriteStatus(null, db, linux);
        Assert.Contains("services: none on this OS (Windows only)", linux.ToString());
    }

    [Fact]
    public async Task InstallOffWindows_OneLineAndExit8()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("on Windows install talks to the real SCM");
        using var error = new StringWriter();
        Assert.Equal(8, await Cli.CliApp.RunAsync(["service", "install"], error, TextWriter.Null));
        Assert.Single(error.ToString().Trim().Split('\n'));
    }
}
