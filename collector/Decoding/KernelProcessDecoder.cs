// Microsoft-Windows-Kernel-Process ({22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}, keyword 0x10 WINEVENT_KEYWORD_PROCESS),
// as TDH decodes its manifest: event 1 ProcessStart and 2 ProcessStop carry ProcessID (UInt32), CreateTime
// (FILETIME, which TraceEvent hands out as DateTime) and ImageName (string); stop adds ExitTime.
// ProcessStart version 3 (Windows 10 and later) puts a SID, MandatoryLabel, before ImageName, and TraceEvent drops a
// SID field and every field after it: for that layout the image name is read from the payload bytes instead.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MonitorNetwork.Collector.Events;

namespace MonitorNetwork.Collector.Decoding;

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
            var image = EventViews.Field(view, "ImageName") as string ?? ImageAfterMandatoryLabel(view);
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

    /// <summary>
    /// ProcessStart v3 payload: ProcessID u32, ProcessSequenceNumber u64, CreateTime u64, ParentProcessID u32,
    /// ParentProcessSequenceNumber u64, SessionID u32, Flags u32, ProcessTokenElevationType u32,
    /// ProcessTokenIsElevated u32 (48 bytes), then the SID (8 + 4 bytes per sub-authority), then ImageName as
    /// NUL-terminated UTF-16. Null for any other layout or a payload too short to hold it.
    /// </summary>
    private static string? ImageAfterMandatoryLabel<TView>(in TView view) where TView : IEventView
    {
        const int sidOffset = 48;
        if (view.EventId != 1 || Array.IndexOf(view.PayloadNames, "ProcessTokenIsElevated") < 0 || !view.TryGetPayload(out var raw)
            || raw.Length < sidOffset + 8)
            return null;
        var imageOffset = sidOffset + 8 + 4 * raw[sidOffset + 1];
        if (imageOffset >= raw.Length) return null;
        var chars = MemoryMarshal.Cast<byte, char>(raw[imageOffset..(imageOffset + (raw.Length - imageOffset) / 2 * 2)]);
        var end = chars.IndexOf('\0');
        return new string(end < 0 ? chars : chars[..end]);
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
        us = Events.UnixMicros.From(utc);
        return true;
    }
}
