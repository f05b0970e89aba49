// The collector's namespaces form a layered graph with no cycles (issue 28): a cycle means two folders that cannot be
// understood, tested or moved apart. Read from the compiled assembly with Mono.Cecil, so every reference counts: base
// types, fields, signatures, and the types each method body uses (closures and state machines count for the type
// that declares them).
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MonitorNetwork.Collector.Tests;

public class NamespaceLayoutTests
{
    private const string Root = "MonitorNetwork.Collector";

    /// <summary>Namespace to namespace, each edge with one example "type uses type".</summary>
    internal static Dictionary<string, Dictionary<string, string>> Dependencies()
    {
        using var module = ModuleDefinition.ReadModule(typeof(Cli.CliApp).Assembly.Location);
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType is not null) outer = outer.DeclaringType;
            var from = outer.Namespace;
            if (!from.StartsWith(Root, StringComparison.Ordinal)) continue;
            void Use(TypeReference? used)
            {
                if (used is null) return;
                if (used is GenericInstanceType g) foreach (var a in g.GenericArguments) Use(a);
                if (used is TypeSpecification spec) { Use(spec.ElementType); return; }
                var target = used;
                while (target.DeclaringType is not null) target = target.DeclaringType;
                var to = target.Namespace;
                if (to == from || !to.StartsWith(Root, StringComparison.Ordinal) || target.Scope != module) return;
                if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = new(StringComparer.Ordinal);
                edges.TryAdd(to, $"{outer.FullName} uses {target.FullName}");
            }
            void UseMethod(MethodReference m)
            {
                Use(m.DeclaringType);
                Use(m.ReturnType);
                foreach (var p in m.Parameters) Use(p.ParameterType);
                if (m is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Use(a);
            }
            Use(type.BaseType);
            foreach (var i in type.Interfaces) Use(i.InterfaceType);
            foreach (var f in type.Fields) Use(f.FieldType);
            foreach (var p in type.Properties) Use(p.PropertyType);
            foreach (var m in type.Methods)
            {
                UseMethod(m);
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) Use(v.VariableType);
                foreach (var instruction in m.Body.Instructions)
                {
                    switch (instruction.Operand)
                    {
                        case TypeReference t: Use(t); break;
                        case MethodReference mr: UseMethod(mr); break;
                        case FieldReference fr: Use(fr.DeclaringType); Use(fr.FieldType); break;
                    }
                }
            }
        }
        return graph;
    }

    /// <summary>The strongly connected components of more than one namespace (Tarjan).</summary>
    internal static List<List<string>> Cycles(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        var next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add([.. component.Order(StringComparer.Ordinal)]);
        }
        foreach (var v in graph.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    [Fact]
    public void Collector_HasNoNamespaceCycles()
    {
        var graph = Dependencies();
        Assert.True(graph.Count > 10, "the reader found too few namespaces to judge");
        var cycles = Cycles(graph);
        var report = cycles.Select(c => string.Join(" <-> ", c) + ":\n    " + string.Join("\n    ",
            c.SelectMany(a => c.Where(b => graph.GetValueOrDefault(a)?.ContainsKey(b) == true).Select(b => graph[a][b]))));
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", report));
    }

    /// <summary>
    /// The layers, lowest first (README, Architecture): a namespace uses its own layer and those below, never one
    /// above. Events flow up the middle: Sources feed Routing, which decodes and hands to the Pipeline, which writes to
    /// the Store through the writer interface the Pipeline declares.
    /// </summary>
    internal static readonly string[][] Layers =
    [
        ["Failures", "Events", "Output"],
        ["Decoding"],
        ["Pipeline"],
        ["Store"],
        ["Routing"],
        ["Sources"],
        ["Queries", "Report", "Export", "Export.Ipfix"],
        ["Top", "Configuration"],
        ["Hosting"],
        ["Service"],
        ["Cli"],
    ];

    [Fact]
    public void Collector_EachNamespaceUsesOnlyItsLayerAndThoseBelow()
    {
        var layerOf = Layers.SelectMany((names, i) => names.Select(n => (n, i))).ToDictionary(x => $"{Root}.{x.n}", x => x.i);
        var graph = Dependencies();
        var unplaced = graph.Keys.Concat(graph.Values.SelectMany(e => e.Keys)).Distinct().Where(n => !layerOf.ContainsKey(n)).ToList();
        Assert.True(unplaced.Count == 0, "namespaces in no layer (add them to Layers and the README's picture): " + string.Join(", ", unplaced));
        var upward = graph.SelectMany(e => e.Value.Where(t => layerOf[t.Key] > layerOf[e.Key]).Select(t => $"{e.Key} -> {t.Key}: {t.Value}")).ToList();
        Assert.True(upward.Count == 0, "uses of a higher layer:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void CycleFinder_FindsACycle()
    {
        var graph = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "a" },
            ["B"] = new() { ["C"] = "b" },
            ["C"] = new() { ["A"] = "c" },
            ["D"] = new() { ["A"] = "d" },
        };
        Assert.Equal([["A", "B", "C"]], Cycles(graph));
    }
}
