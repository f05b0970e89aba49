// Microsoft-Windows-Kernel-Process ({22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}, keyword 0x10 WINEVENT_KEYWORD_PROCESS),
// as TDH decodes its manifest: event 1 ProcessStart and 2 ProcessStop carry ProcessID (UInt32), CreateTime
// (FILETIME, which TraceEvent hands out as DateTime) and ImageName (string); stop adds ExitTime.
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding.KernelProcess;

/// <summary>Decodes process start and stop into <see cref="ProcessStartedEvent"/> and <see cref="ProcessEndedEvent"/>.</summary>
public sealed class KernelProcessDecoder : IEventDecoder
{
    /// <summary>Provider name.</summary>
    public const string ProviderName = "Microsoft-Windows-Kernel-Process";
    /// <summary>Provider GUID.</summary>
    public static readonly Guid ProviderGuid = new("22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716");
    /// <summary>WINEVENT_KEYWORD_PROCESS.</summary>
    public const ulong Keywords = 0x10;

    /// <inheritdoc/>
    public DecodeOutcome Decode<TView>(in TView view, out MonitorEvent? decoded) where TView : IEventView
    {
        decoded = null;
        try
        {
            if (!EventViews.IsFrom(view, ProviderGuid, ProviderName)) return DecodeOutcome.OtherProvider;
            if (view.EventId is not (1 or 2)) return DecodeOutcome.Ignored; // threads, images, rundown markers
            if (!FieldValue.TryUnsigned(EventViews.Field(view, "ProcessID"), uint.MaxValue, out var pid) || !TryTime(EventViews.Field(view, "CreateTime"), out var created))
                return DecodeOutcome.Malformed;
            var image = EventViews.Field(view, "ImageName") as string;
            if (image is not null && (image.Length > Decoding.ContractDecoder.MaxProcessPathChars || image.StartsWith("<<<", StringComparison.Ordinal)))
                return DecodeOutcome.Malformed;
            decoded = view.EventId == 1
                ? new ProcessStartedEvent(view.TimestampUs, (uint)pid, created, image, null)
                : new ProcessEndedEvent(view.TimestampUs, (uint)pid, created, image);
            return DecodeOutcome.Decoded;
        }
#pragma warning disable CA1031 // The ETW callback must never see an exception.
        catch (Exception)
#pragma warning restore CA1031
        {
            return DecodeOutcome.Malformed;
        }
    }

    /// <summary>A FILETIME as TraceEvent gives it (DateTime), or raw 100 ns ticks since 1601, to UTC microseconds.</summary>
    private static bool TryTime(object? value, out long us)
    {
        us = 0;
        DateTime utc;
        switch (value)
        {
            case DateTime d: utc = d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc); break;
            case long fileTime when fileTime > 0: utc = DateTime.FromFileTimeUtc(fileTime); break;
            case ulong fileTime when fileTime is > 0 and < long.MaxValue: utc = DateTime.FromFileTimeUtc((long)fileTime); break;
            default: return false;
        }
        us = (utc - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        return true;
    }
}
