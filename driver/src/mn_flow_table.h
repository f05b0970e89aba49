/*
 * The flow table: every allocated context on one list under one spin lock, the lookaside list they come from, and
 * the counters DriverHealth reports. Shared by the flow files (mn_flow_table.c, mn_flow_context.c,
 * mn_flow_accounting.c, mn_flow_emission.c); nothing else includes it, and everything else goes through mn_flow.h.
 */
#pragma once
#include "mn_flow.h"

typedef struct mn_flow_table {
    LOOKASIDE_LIST_EX lookaside;
    KSPIN_LOCK lock;
    LIST_ENTRY active; /* every allocated context, under lock */
    KEVENT drained;    /* signalled when flows_active reaches zero while draining */
    BOOLEAN draining;  /* under lock: no new context or association */
    BOOLEAN initialized;
    volatile LONG64 flows_tracked;
    volatile LONG64 flows_active;
    volatile LONG64 alloc_failures;
    volatile LONG64 association_failures;
    volatile LONG64 packets_without_flow;
    volatile LONG64 classifies_without_context;
    volatile LONG64 flows_deleted_without_context;
    volatile LONG64 packets_unknown_header;
} mn_flow_table;

extern mn_flow_table g_flows;

/* Allocates a context holding the creator's reference and lists it, unless unload is draining or memory is short. */
_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_
mn_flow *mn_flow_table_create(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple);

/* Unlists and frees a context whose last reference is gone; the last free while draining wakes unload. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_table_free(_Inout_ mn_flow *flow);

/* Adds a reference unless the count already reached zero (the context is being freed by another thread). */
_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_ BOOLEAN mn_flow_try_add_ref(_Inout_ mn_flow *flow);

/* Drops one reference; the last writes the flow's end (when `report` and it was ever associated) and frees it.
   mn_flow_context.c. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_release(_Inout_ mn_flow *flow, _In_ BOOLEAN report);
