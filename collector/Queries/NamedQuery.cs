// A named query from queries/: its SQL and the documentation that travels with it.
namespace MonitorNetwork.Collector.Queries;

/// <summary>How a query parameter's text is turned into the value bound to SQL.</summary>
public enum QueryParameterType
{
    /// <summary>A point in time, bound as UTC microseconds since the Unix epoch.</summary>
    Time,
    /// <summary>A whole number.</summary>
    Int,
    /// <summary>Free text.</summary>
    Text,
    /// <summary>An IPv4 or IPv6 address, bound in the store's canonical text form.</summary>
    Address,
    /// <summary>One of a few words (declared as "one of day,week,month"), bound as given.</summary>
    Choice,
}

/// <summary>One declared parameter of a named query.</summary>
/// <param name="Name">Name without '@'.</param>
/// <param name="Type">How its value is parsed.</param>
/// <param name="Default">Default value text; empty means the empty string (text/address) or required (int/time).</param>
/// <param name="Description">One line for `monitornetwork queries`.</param>
/// <param name="Choices">The words a <see cref="QueryParameterType.Choice"/> takes.</param>
public sealed record QueryParameter(string Name, QueryParameterType Type, string Default, string Description, IReadOnlyList<string>? Choices = null);

/// <summary>A named query.</summary>
/// <param name="Name">File name without .sql, e.g. top-processes.</param>
/// <param name="Title">Short title.</param>
/// <param name="Description">What it returns.</param>
/// <param name="Why">Why it matters.</param>
/// <param name="Notes">Further comment lines of the header (semantics, caveats).</param>
/// <param name="Parameters">Declared parameters, in order.</param>
/// <param name="Sql">The SQL, with @name parameters.</param>
public sealed record NamedQuery(
    string Name, string Title, string Description, string Why, string Notes, IReadOnlyList<QueryParameter> Parameters, string Sql);
