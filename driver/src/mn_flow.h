/*
 * Flow contexts: per-flow packet and byte counters that WFP hands back to the transport-layer callouts.
 * One context is associated at two layers (inbound and outbound transport), so its lifetime is reference
 * counted: one reference per live association plus short-lived holders. The last release writes FlowDeleted
 * with the totals and frees the context. Every live context is also on a list so unload can remove them.
 */
#pragma once
#include "mn_wdk.h"
#include "mn_trace.h"

/* One WFP association of a context: the layer and callout it was associated with. */
typedef struct mn_flow_association {
    UINT16 layer_id;
    UINT32 callout_id;
    BOOLEAN live; /* set when associated; cleared by that layer's flowDeleteFn */
} mn_flow_association;

#define MN_FLOW_ASSOCIATIONS 2 /* [0] inbound transport, [1] outbound transport */

typedef struct mn_flow {
    LIST_ENTRY link;   /* on the active list, under its lock */
    volatile LONG refs;
    UINT64 flow_id;    /* the WFP flow handle, also the contract's FlowId */
    UINT32 process_id;
    BOOLEAN removal_requested; /* unload has asked WFP to remove this context */
    mn_flow_association associations[MN_FLOW_ASSOCIATIONS];
    volatile LONG64 packets_in;
    volatile LONG64 bytes_in;
    volatile LONG64 packets_out;
    volatile LONG64 bytes_out;
} mn_flow;

_IRQL_requires_max_(PASSIVE_LEVEL) _Must_inspect_result_ NTSTATUS mn_flows_init(void);
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_flows_uninit(void);

/* Allocates a context with one reference (the caller's); NULL when out of memory (counted). */
_IRQL_requires_max_(DISPATCH_LEVEL) _Ret_maybenull_ mn_flow *mn_flow_create(_In_ UINT64 flow_id, _In_ UINT32 process_id);

_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_add_ref(_Inout_ mn_flow *flow);

/* Drops one reference; the last one writes FlowDeleted (unless discard) and frees the context. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_release(_Inout_ mn_flow *flow);

/* Frees a context that never got a WFP association, without writing FlowDeleted. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_discard(_Inout_ mn_flow *flow);

_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_count_packet(_Inout_ mn_flow *flow, _In_ UINT8 direction, _In_ UINT32 bytes);

/* flowDeleteFn's half: marks the association at layer_id gone and drops its reference. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_association_deleted(_Inout_ mn_flow *flow, _In_ UINT16 layer_id);

_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_count_packet_without_flow(void);

/* Unload: asks WFP to remove every live association, then waits until every context is freed. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_flows_remove_all(void);

_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_health(_Out_ mn_health_counters *counters);
