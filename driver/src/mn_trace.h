/*
 * TraceLogging events of the MonitorNetwork provider. The names, field names, types and order are the
 * contract in schema/events.json; the host harness captures every write and checks it against that file.
 * Every writer is cheap to call when nobody listens: it checks TraceLoggingProviderEnabled first.
 */
#pragma once
#include "mn_wdk.h"
#include <TraceLoggingProvider.h>

TRACELOGGING_DECLARE_PROVIDER(g_mn_trace_provider);

#define MN_KEYWORD_PACKET 0x1ULL
#define MN_KEYWORD_FLOW 0x2ULL
#define MN_KEYWORD_HEALTH 0x4ULL

#define MN_LEVEL_INFORMATION 4 /* WINEVENT_LEVEL_INFO */
#define MN_LEVEL_VERBOSE 5     /* WINEVENT_LEVEL_VERBOSE */

/* Addresses are 16 bytes in network order; IPv4 is v4-mapped (::ffff:a.b.c.d). Ports are host order. */
typedef struct mn_tuple {
    UINT8 protocol;
    UINT8 direction; /* FWP_DIRECTION: 0 outbound, 1 inbound */
    UINT8 local_address[16];
    UINT8 remote_address[16];
    UINT16 local_port;
    UINT16 remote_port;
} mn_tuple;

/* What DriverHealth and DriverStopping report; each counter covers the whole load. */
typedef struct mn_health_counters {
    UINT64 flows_tracked;
    UINT64 flows_active;
    UINT64 context_alloc_failures;
    UINT64 packets_without_flow;          /* NET_BUFFERs at a transport layer with no context, handshakes included */
    UINT64 association_failures;          /* FwpsFlowAssociateContext0 failures */
    UINT64 classifies_without_context;    /* transport classifies (NBLs) that carried no context */
    UINT64 flows_deleted_without_context; /* flowDeleteFn calls with a zero context */
    UINT64 packets_unknown_header;        /* packets whose transport header size WFP did not give: 0 payload bytes */
} mn_health_counters;

/* What an unload bound was waiting for when it expired (UnloadTimeout's Stage). */
#define MN_UNLOAD_STAGE_FLOW_CONTEXTS 1
#define MN_UNLOAD_STAGE_CALLOUTS 2

_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN mn_trace_flow_enabled(void);
_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN mn_trace_packet_enabled(void);

_IRQL_requires_max_(DISPATCH_LEVEL)
void mn_trace_flow_established(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple,
                               _In_reads_opt_(path_chars) const WCHAR *path, _In_ UINT16 path_chars);

/* A flow's counters, cumulative since it began: what FlowStats and FlowDeleted report after its identity. */
typedef struct mn_flow_counters {
    UINT64 packets_in;
    UINT64 bytes_in;
    UINT64 packets_out;
    UINT64 bytes_out;
} mn_flow_counters;

_IRQL_requires_max_(DISPATCH_LEVEL)
void mn_trace_flow_stats(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple,
                         _In_ const mn_flow_counters *counters);

_IRQL_requires_max_(DISPATCH_LEVEL)
void mn_trace_flow_deleted(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple,
                           _In_ const mn_flow_counters *totals);

_IRQL_requires_max_(DISPATCH_LEVEL)
void mn_trace_packet(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple, _In_ UINT32 bytes);

_IRQL_requires_max_(PASSIVE_LEVEL)
void mn_trace_driver_started(_In_ UINT32 driver_version, _In_ UINT32 callouts_registered);

_IRQL_requires_max_(PASSIVE_LEVEL)
void mn_trace_driver_stopping(_In_ const mn_health_counters *counters);

_IRQL_requires_max_(DISPATCH_LEVEL)
void mn_trace_driver_health(_In_ const mn_health_counters *counters);

_IRQL_requires_max_(PASSIVE_LEVEL)
void mn_trace_unload_timeout(_In_ UINT32 stage, _In_ UINT64 flows_outstanding, _In_ UINT32 callouts_outstanding);

#define MN_LEVEL_WARNING 3 /* WINEVENT_LEVEL_WARNING */
