// Small questions every decoder asks of a raw event, answered in one place.
namespace MonitorNetwork.Collector.Decoding;

/// <summary>Helpers over <see cref="IEventView"/>.</summary>
public static class EventViews
{
    /// <summary>True for events of the provider with this GUID, or with this name when the source gives no GUID.</summary>
    public static bool IsFrom<TView>(in TView view, Guid providerGuid, string providerName) where TView : IEventView =>
        view.ProviderGuid == providerGuid
        || (view.ProviderGuid == Guid.Empty && string.Equals(view.ProviderName, providerName, StringComparison.Ordinal));

    /// <summary>The value of the field called <paramref name="name"/>, or null when the event has none.</summary>
    public static object? Field<TView>(in TView view, string name) where TView : IEventView
    {
        var i = Array.IndexOf(view.PayloadNames, name);
        return i < 0 ? null : view.PayloadValue(i);
    }
}
