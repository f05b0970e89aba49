/*
 * The MonitorNetwork TraceLogging provider and its event writers. Field types are those TDH decodes and WPA
 * displays: integers, TraceLoggingIPv6Address and TraceLoggingCountedWideString (no CountedBinary, no SID,
 * either of which would make TDH drop every later field).
 */
#include "mn_trace.h"

/* {4917cfb1-f0b6-5dd0-3607-3eb1a4b61c4b}: the TraceLogging/EventSource name hash of "MonitorNetwork". */
TRACELOGGING_DEFINE_PROVIDER(g_mn_trace_provider, "MonitorNetwork",
                             (0x4917cfb1, 0xf0b6, 0x5dd0, 0x36, 0x07, 0x3e, 0xb1, 0xa4, 0xb6, 0x1c, 0x4b));

_Use_decl_annotations_
BOOLEAN mn_trace_flow_enabled(void)
{
    return TraceLoggingProviderEnabled(g_mn_trace_provider, MN_LEVEL_INFORMATION, MN_KEYWORD_FLOW);
}

_Use_decl_annotations_
BOOLEAN mn_trace_packet_enabled(void)
{
    return TraceLoggingProviderEnabled(g_mn_trace_provider, MN_LEVEL_VERBOSE, MN_KEYWORD_PACKET);
}

static BOOLEAN mn_trace_health_enabled(_In_ UCHAR level)
{
    return TraceLoggingProviderEnabled(g_mn_trace_provider, level, MN_KEYWORD_HEALTH);
}

_Use_decl_annotations_
void mn_trace_flow_established(UINT64 flow_id, UINT32 process_id, const mn_tuple *tuple, const WCHAR *path,
                               UINT16 path_chars)
{
    if (!mn_trace_flow_enabled()) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "FlowEstablished",
                      TraceLoggingLevel(MN_LEVEL_INFORMATION),
                      TraceLoggingKeyword(MN_KEYWORD_FLOW),
                      TraceLoggingUInt64(flow_id, "FlowId"),
                      TraceLoggingUInt32(process_id, "ProcessId"),
                      TraceLoggingUInt8(tuple->direction, "Direction"),
                      TraceLoggingUInt8(tuple->protocol, "Protocol"),
                      TraceLoggingIPv6Address(tuple->local_address, "LocalAddress"),
                      TraceLoggingUInt16(tuple->local_port, "LocalPort"),
                      TraceLoggingIPv6Address(tuple->remote_address, "RemoteAddress"),
                      TraceLoggingUInt16(tuple->remote_port, "RemotePort"),
                      TraceLoggingCountedWideString(path, path_chars, "ProcessPath"));
}

/* FlowStats and FlowDeleted share their fields; they are written out twice for the reason given in
   mn_trace_driver_health. */
_Use_decl_annotations_
void mn_trace_flow_stats(UINT64 flow_id, UINT32 process_id, const mn_tuple *tuple, const mn_flow_counters *counters)
{
    if (!mn_trace_flow_enabled()) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "FlowStats",
                      TraceLoggingLevel(MN_LEVEL_INFORMATION),
                      TraceLoggingKeyword(MN_KEYWORD_FLOW),
                      TraceLoggingUInt64(flow_id, "FlowId"),
                      TraceLoggingUInt32(process_id, "ProcessId"),
                      TraceLoggingUInt8(tuple->direction, "Direction"),
                      TraceLoggingUInt8(tuple->protocol, "Protocol"),
                      TraceLoggingIPv6Address(tuple->local_address, "LocalAddress"),
                      TraceLoggingUInt16(tuple->local_port, "LocalPort"),
                      TraceLoggingIPv6Address(tuple->remote_address, "RemoteAddress"),
                      TraceLoggingUInt16(tuple->remote_port, "RemotePort"),
                      TraceLoggingUInt64(counters->packets_in, "PacketsIn"),
                      TraceLoggingUInt64(counters->bytes_in, "BytesIn"),
                      TraceLoggingUInt64(counters->packets_out, "PacketsOut"),
                      TraceLoggingUInt64(counters->bytes_out, "BytesOut"));
}

_Use_decl_annotations_
void mn_trace_flow_deleted(UINT64 flow_id, UINT32 process_id, const mn_tuple *tuple, const mn_flow_counters *totals)
{
    if (!mn_trace_flow_enabled()) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "FlowDeleted",
                      TraceLoggingLevel(MN_LEVEL_INFORMATION),
                      TraceLoggingKeyword(MN_KEYWORD_FLOW),
                      TraceLoggingUInt64(flow_id, "FlowId"),
                      TraceLoggingUInt32(process_id, "ProcessId"),
                      TraceLoggingUInt8(tuple->direction, "Direction"),
                      TraceLoggingUInt8(tuple->protocol, "Protocol"),
                      TraceLoggingIPv6Address(tuple->local_address, "LocalAddress"),
                      TraceLoggingUInt16(tuple->local_port, "LocalPort"),
                      TraceLoggingIPv6Address(tuple->remote_address, "RemoteAddress"),
                      TraceLoggingUInt16(tuple->remote_port, "RemotePort"),
                      TraceLoggingUInt64(totals->packets_in, "PacketsIn"),
                      TraceLoggingUInt64(totals->bytes_in, "BytesIn"),
                      TraceLoggingUInt64(totals->packets_out, "PacketsOut"),
                      TraceLoggingUInt64(totals->bytes_out, "BytesOut"));
}

_Use_decl_annotations_
void mn_trace_packet(UINT64 flow_id, UINT32 process_id, const mn_tuple *tuple, UINT32 bytes)
{
    if (!mn_trace_packet_enabled()) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "Packet",
                      TraceLoggingLevel(MN_LEVEL_VERBOSE),
                      TraceLoggingKeyword(MN_KEYWORD_PACKET),
                      TraceLoggingUInt64(flow_id, "FlowId"),
                      TraceLoggingUInt32(process_id, "ProcessId"),
                      TraceLoggingUInt8(tuple->direction, "Direction"),
                      TraceLoggingUInt8(tuple->protocol, "Protocol"),
                      TraceLoggingIPv6Address(tuple->local_address, "LocalAddress"),
                      TraceLoggingUInt16(tuple->local_port, "LocalPort"),
                      TraceLoggingIPv6Address(tuple->remote_address, "RemoteAddress"),
                      TraceLoggingUInt16(tuple->remote_port, "RemotePort"),
                      TraceLoggingUInt32(bytes, "Bytes"));
}

_Use_decl_annotations_
void mn_trace_driver_started(UINT32 driver_version, UINT32 callouts_registered)
{
    if (!mn_trace_health_enabled(MN_LEVEL_INFORMATION)) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "DriverStarted",
                      TraceLoggingLevel(MN_LEVEL_INFORMATION),
                      TraceLoggingKeyword(MN_KEYWORD_HEALTH),
                      TraceLoggingUInt32(driver_version, "DriverVersion"),
                      TraceLoggingUInt32(callouts_registered, "CalloutsRegistered"));
}

_Use_decl_annotations_
void mn_trace_driver_stopping(const mn_health_counters *counters)
{
    if (!mn_trace_health_enabled(MN_LEVEL_INFORMATION)) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "DriverStopping",
                      TraceLoggingLevel(MN_LEVEL_INFORMATION),
                      TraceLoggingKeyword(MN_KEYWORD_HEALTH),
                      TraceLoggingUInt64(counters->flows_tracked, "FlowsTracked"),
                      TraceLoggingUInt64(counters->flows_active, "FlowsActive"),
                      TraceLoggingUInt64(counters->context_alloc_failures, "ContextAllocFailures"),
                      TraceLoggingUInt64(counters->packets_without_flow, "PacketsWithoutFlow"),
                      TraceLoggingUInt64(counters->association_failures, "AssociationFailures"),
                      TraceLoggingUInt64(counters->classifies_without_context, "ClassifiesWithoutContext"),
                      TraceLoggingUInt64(counters->flows_deleted_without_context, "FlowsDeletedWithoutContext"),
                      TraceLoggingUInt64(counters->packets_unknown_header, "PacketsUnknownHeader"));
}

_Use_decl_annotations_
void mn_trace_driver_health(const mn_health_counters *counters)
{
    if (!mn_trace_health_enabled(MN_LEVEL_INFORMATION)) {
        return;
    }
    /* DriverStopping's fields, written out again: a field-list macro inside TraceLoggingWrite depends on how the
       compiler's preprocessor re-scans __VA_ARGS__, and the real TraceLoggingWrite is sensitive to that. */
    TraceLoggingWrite(g_mn_trace_provider, "DriverHealth",
                      TraceLoggingLevel(MN_LEVEL_INFORMATION),
                      TraceLoggingKeyword(MN_KEYWORD_HEALTH),
                      TraceLoggingUInt64(counters->flows_tracked, "FlowsTracked"),
                      TraceLoggingUInt64(counters->flows_active, "FlowsActive"),
                      TraceLoggingUInt64(counters->context_alloc_failures, "ContextAllocFailures"),
                      TraceLoggingUInt64(counters->packets_without_flow, "PacketsWithoutFlow"),
                      TraceLoggingUInt64(counters->association_failures, "AssociationFailures"),
                      TraceLoggingUInt64(counters->classifies_without_context, "ClassifiesWithoutContext"),
                      TraceLoggingUInt64(counters->flows_deleted_without_context, "FlowsDeletedWithoutContext"),
                      TraceLoggingUInt64(counters->packets_unknown_header, "PacketsUnknownHeader"));
}

_Use_decl_annotations_
void mn_trace_unload_timeout(UINT32 stage, UINT64 flows_outstanding, UINT32 callouts_outstanding)
{
    if (!mn_trace_health_enabled(MN_LEVEL_WARNING)) {
        return;
    }
    TraceLoggingWrite(g_mn_trace_provider, "UnloadTimeout",
                      TraceLoggingLevel(MN_LEVEL_WARNING),
                      TraceLoggingKeyword(MN_KEYWORD_HEALTH),
                      TraceLoggingUInt32(stage, "Stage"),
                      TraceLoggingUInt64(flows_outstanding, "FlowsOutstanding"),
                      TraceLoggingUInt32(callouts_outstanding, "CalloutsOutstanding"));
}
