// Tests that open EventPipe sessions on this process all see the one MonitorNetwork EventSource, so they
// must not run at the same time.
namespace MonitorNetwork.Collector.Tests.TestSupport;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EventPipeCollection
{
    public const string Name = "EventPipe sessions on this process";
}
