/*
 * Flow context allocation, accounting and teardown. Contexts come from a non-paged lookaside list because
 * they are created in classify at DISPATCH_LEVEL; the packet path only does interlocked adds.
 */
#include "mn_flow.h"
#include "mn_pooltags.h"

typedef struct mn_flow_table {
    LOOKASIDE_LIST_EX lookaside;
    KSPIN_LOCK lock;
    LIST_ENTRY active; /* every allocated context, under lock */
    KEVENT drained;    /* signalled when active empties while draining */
    BOOLEAN draining;
    BOOLEAN initialized;
    volatile LONG64 flows_tracked;
    volatile LONG64 flows_active;
    volatile LONG64 alloc_failures;
    volatile LONG64 packets_without_flow;
} mn_flow_table;

static mn_flow_table g_flows;

_Use_decl_annotations_
NTSTATUS mn_flows_init(void)
{
    NTSTATUS status;

    RtlZeroMemory(&g_flows, sizeof(g_flows));
    KeInitializeSpinLock(&g_flows.lock);
    InitializeListHead(&g_flows.active);
    KeInitializeEvent(&g_flows.drained, NotificationEvent, FALSE);
    status = ExInitializeLookasideListEx(&g_flows.lookaside, NULL, NULL, NonPagedPoolNx, 0, sizeof(mn_flow),
                                         MN_POOLTAG_FLOW, 0);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    g_flows.initialized = TRUE;

Exit:
    return status;
}

_Use_decl_annotations_
void mn_flows_uninit(void)
{
    if (!g_flows.initialized) {
        return;
    }
    /* mn_flows_remove_all has emptied the list; deleting the lookaside with contexts out would leak them. */
    ExDeleteLookasideListEx(&g_flows.lookaside);
    g_flows.initialized = FALSE;
}

_Use_decl_annotations_
mn_flow *mn_flow_create(UINT64 flow_id, UINT32 process_id)
{
    KIRQL irql;
    mn_flow *flow = (mn_flow *)ExAllocateFromLookasideListEx(&g_flows.lookaside);

    if (flow == NULL) {
        InterlockedIncrement64(&g_flows.alloc_failures);
        goto Exit;
    }
    RtlZeroMemory(flow, sizeof(*flow));
    flow->refs = 1;
    flow->flow_id = flow_id;
    flow->process_id = process_id;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    InsertTailList(&g_flows.active, &flow->link);
    KeReleaseSpinLock(&g_flows.lock, irql);
    InterlockedIncrement64(&g_flows.flows_tracked);
    InterlockedIncrement64(&g_flows.flows_active);

Exit:
    return flow;
}

_Use_decl_annotations_
void mn_flow_add_ref(mn_flow *flow)
{
    InterlockedIncrement(&flow->refs);
}

static void mn_flow_free(_Inout_ mn_flow *flow)
{
    KIRQL irql;
    BOOLEAN now_empty;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    RemoveEntryList(&flow->link);
    now_empty = IsListEmpty(&g_flows.active);
    KeReleaseSpinLock(&g_flows.lock, irql);

    InterlockedAdd64(&g_flows.flows_active, -1);
    ExFreeToLookasideListEx(&g_flows.lookaside, flow);
    if (now_empty && g_flows.draining) {
        KeSetEvent(&g_flows.drained, IO_NO_INCREMENT, FALSE);
    }
}

_Use_decl_annotations_
void mn_flow_release(mn_flow *flow)
{
    if (InterlockedDecrement(&flow->refs) != 0) {
        return;
    }
    mn_trace_flow_deleted(flow->flow_id, (UINT64)ReadNoFence64(&flow->packets_in), (UINT64)ReadNoFence64(&flow->bytes_in),
                          (UINT64)ReadNoFence64(&flow->packets_out), (UINT64)ReadNoFence64(&flow->bytes_out));
    mn_flow_free(flow);
}

_Use_decl_annotations_
void mn_flow_discard(mn_flow *flow)
{
    if (InterlockedDecrement(&flow->refs) == 0) {
        mn_flow_free(flow);
    }
}

_Use_decl_annotations_
void mn_flow_count_packet(mn_flow *flow, UINT8 direction, UINT32 bytes)
{
    if (direction == FWP_DIRECTION_INBOUND) {
        InterlockedIncrement64(&flow->packets_in);
        InterlockedAdd64(&flow->bytes_in, (LONG64)bytes);
    } else {
        InterlockedIncrement64(&flow->packets_out);
        InterlockedAdd64(&flow->bytes_out, (LONG64)bytes);
    }
}

_Use_decl_annotations_
void mn_flow_association_deleted(mn_flow *flow, UINT16 layer_id)
{
    int i;

    for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
        if (flow->associations[i].live && flow->associations[i].layer_id == layer_id) {
            flow->associations[i].live = FALSE;
            break;
        }
    }
    mn_flow_release(flow);
}

_Use_decl_annotations_
void mn_flows_count_packet_without_flow(void)
{
    InterlockedIncrement64(&g_flows.packets_without_flow);
}

/* Adds a reference unless the count already reached zero (the context is being freed by another thread). */
static BOOLEAN mn_flow_try_add_ref(_Inout_ mn_flow *flow)
{
    LONG refs = ReadNoFence(&flow->refs);

    while (refs > 0) {
        LONG seen = InterlockedCompareExchange(&flow->refs, refs + 1, refs);
        if (seen == refs) {
            return TRUE;
        }
        refs = seen;
    }
    return FALSE;
}

/* Takes a reference on the first context unload has not yet asked WFP to remove, or returns NULL. */
static mn_flow *mn_flows_next_to_remove(void)
{
    KIRQL irql;
    PLIST_ENTRY entry;
    mn_flow *found = NULL;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    for (entry = g_flows.active.Flink; entry != &g_flows.active; entry = entry->Flink) {
        mn_flow *flow = CONTAINING_RECORD(entry, mn_flow, link);
        if (!flow->removal_requested) {
            flow->removal_requested = TRUE;
            if (mn_flow_try_add_ref(flow)) {
                found = flow;
                break;
            }
        }
    }
    KeReleaseSpinLock(&g_flows.lock, irql);
    return found;
}

_Use_decl_annotations_
void mn_flows_remove_all(void)
{
    KIRQL irql;
    BOOLEAN empty;
    mn_flow *flow;

    if (!g_flows.initialized) {
        return;
    }
    g_flows.draining = TRUE;
    /* FwpsFlowRemoveContext0 may call flowDeleteFn synchronously, which takes the list lock: never call it
       while holding that lock. The reference taken above keeps the context alive across the call. */
    while ((flow = mn_flows_next_to_remove()) != NULL) {
        int i;
        for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
            mn_flow_association association = flow->associations[i];
            if (association.live) {
                /* STATUS_PENDING: a classify is in progress and flowDeleteFn follows it; any other failure
                   means the association is already gone and its flowDeleteFn has run or is running. */
                (void)FwpsFlowRemoveContext0(flow->flow_id, association.layer_id, association.callout_id);
            }
        }
        mn_flow_release(flow);
    }

    KeAcquireSpinLock(&g_flows.lock, &irql);
    empty = IsListEmpty(&g_flows.active);
    KeReleaseSpinLock(&g_flows.lock, irql);
    if (!empty) {
        (void)KeWaitForSingleObject(&g_flows.drained, Executive, KernelMode, FALSE, NULL);
    }
}

_Use_decl_annotations_
void mn_flows_health(mn_health_counters *counters)
{
    counters->flows_tracked = (UINT64)ReadNoFence64(&g_flows.flows_tracked);
    counters->flows_active = (UINT64)ReadNoFence64(&g_flows.flows_active);
    counters->context_alloc_failures = (UINT64)ReadNoFence64(&g_flows.alloc_failures);
    counters->packets_without_flow = (UINT64)ReadNoFence64(&g_flows.packets_without_flow);
}
