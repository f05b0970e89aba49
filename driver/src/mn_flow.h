/*
 * Flow contexts: per-flow packet and byte counters that WFP hands back to the transport-layer callouts.
 * One context is associated at two layers (inbound and outbound transport), so its lifetime is reference
 * counted: one reference per association plus the creator's, held until both associations were tried. The last
 * release writes FlowDeleted with the totals and frees the context. Every context is on a list so unload can
 * remove them.
 *
 * The code is split by concern: the table (mn_flow_table.c: allocation, the list, draining, counters), a context's
 * life (mn_flow_context.c), what flows moved (mn_flow_accounting.c) and the periodic FlowStats sweep
 * (mn_flow_emission.c; the interval rule itself is mn_flow_stats.c). mn_flow_context.c owns the whole association
 * protocol, so that the races between classify, flowDeleteFn and unload are decided in one place, under one lock:
 * - an association slot goes NONE -> ASSOCIATING (under the lock, refused once unload is draining) ->
 *   LIVE (only after FwpsFlowAssociateContext0 succeeded) -> REMOVING (unload asked WFP to remove it) -> NONE
 *   (flowDeleteFn ran). Unload removes only LIVE slots, so it never asks WFP to remove a context that is not
 *   associated yet; a classify that completes an association after unload began removes it itself.
 * - unload (mn_wfp.c) sweeps until no LIVE slot is left and waits in slices for the last contexts, sweeping again
 *   after each slice, for as long as it takes: freeing what WFP may still hand to flowDeleteFn would crash.
 */
#pragma once
#include "mn_wdk.h"
#include "mn_trace.h"

typedef enum mn_association_state {
    MN_ASSOCIATION_NONE = 0,
    MN_ASSOCIATION_ASSOCIATING,
    MN_ASSOCIATION_LIVE,
    MN_ASSOCIATION_REMOVING,
} mn_association_state;

/* One WFP association of a context: the layer and callout it was associated with, and where it stands. */
typedef struct mn_flow_association {
    UINT16 layer_id;
    UINT32 callout_id;
    mn_association_state state; /* under the flow table's lock */
} mn_flow_association;

#define MN_FLOW_ASSOCIATIONS 2 /* [0] inbound transport, [1] outbound transport */

/* Where a new flow's context is associated: the run-time layer and callout of each transport direction. */
typedef struct mn_flow_layers {
    UINT16 layer_id[MN_FLOW_ASSOCIATIONS];
    UINT32 callout_id[MN_FLOW_ASSOCIATIONS];
} mn_flow_layers;

typedef struct mn_flow {
    LIST_ENTRY link;   /* on the active list, under its lock */
    volatile LONG refs;
    UINT64 flow_id;    /* the WFP flow handle, also the contract's FlowId */
    UINT32 process_id;
    mn_tuple tuple;    /* FlowEstablished's identity, repeated by FlowStats and FlowDeleted */
    volatile LONG64 report_interval; /* the active interval of the last FlowStats (or of creation): mn_flow_stats.h */
    UINT64 reported_packets;         /* packets in + out that record reported; written only by its claimer */
    mn_flow_association associations[MN_FLOW_ASSOCIATIONS];
    volatile LONG64 packets_in;
    volatile LONG64 bytes_in;
    volatile LONG64 packets_out;
    volatile LONG64 bytes_out;
} mn_flow;

_IRQL_requires_max_(PASSIVE_LEVEL) _Must_inspect_result_ NTSTATUS mn_flows_init(void);

/* Deletes the lookaside list. Only after every context is freed: mn_wfp_stop waits for that. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_flows_uninit(void);

/*
 * Creates a context for an established flow and associates it at both transport layers. Nothing is created once
 * unload is draining. Allocation and association failures are counted; a flow with no association left is freed
 * without FlowDeleted (WFP will never report its end to us), and its failures say so in the health counters.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void mn_flow_attach(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple,
                    _In_ const mn_flow_layers *layers);

_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_count_packet(_Inout_ mn_flow *flow, _In_ UINT8 direction, _In_ UINT32 bytes);

/* The periodic sweep's half of FlowStats: reports every flow whose counters moved in an interval before `interval`
   (flows that went quiet; busy flows report themselves on the packet path). Batches of contexts are referenced
   under the lock and reported outside it, so the lock is never held across an event write. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_report_moved(_In_ UINT64 interval);

/* flowDeleteFn's half: ends the association at layer_id and drops its reference. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_association_deleted(_Inout_ mn_flow *flow, _In_ UINT16 layer_id);

/* Counters for the unusual, reported by DriverHealth and DriverStopping. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_count_packet_without_flow(void);
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_count_classify_without_context(void);
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_count_flow_deleted_without_context(void);
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_count_unknown_header(void);

/* Refuses new contexts and associations from now on (unload has begun). */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_begin_draining(void);

/* One pass: asks WFP to remove every LIVE association. Unload calls it again whenever WFP says a callout is busy. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_flows_sweep(void);

/* One slice of unload's wait: TRUE at once when no context is left, else waits up to slice_100ns for the last one
   to be freed and returns FALSE. */
_IRQL_requires_max_(PASSIVE_LEVEL) BOOLEAN mn_flows_wait_slice(_In_ LONG64 slice_100ns);

/* Contexts allocated and not yet freed. */
_IRQL_requires_max_(DISPATCH_LEVEL) UINT64 mn_flows_outstanding(void);

_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flows_health(_Out_ mn_health_counters *counters);
