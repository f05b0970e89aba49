/*
 * Flow context allocation, association, accounting and teardown. Contexts come from a non-paged lookaside list
 * because they are created in classify at DISPATCH_LEVEL; the packet path only does interlocked adds. WFP calls
 * (associate, remove) are never made under the table's lock: FwpsFlowRemoveContext0 may call flowDeleteFn
 * synchronously, and flowDeleteFn takes that lock.
 */
#include "mn_flow.h"
#include "mn_flow_stats.h"
#include "mn_pooltags.h"

/* The sweep reports this many flows per pass over the list, outside the lock. */
#define MN_SWEEP_BATCH 32

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
    /* Unload and DriverEntry's failure path call this only after every context is freed (mn_wfp_stop waits for
       that), so the list is always deleted: a list left behind stays linked in the kernel's list of lookaside lists
       after our image is gone. */
    ExDeleteLookasideListEx(&g_flows.lookaside);
    g_flows.initialized = FALSE;
}

static void mn_flow_free(_Inout_ mn_flow *flow)
{
    KIRQL irql;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    RemoveEntryList(&flow->link);
    KeReleaseSpinLock(&g_flows.lock, irql);

    ExFreeToLookasideListEx(&g_flows.lookaside, flow);
    /* Last, after the free: unload deletes the lookaside list once this count reaches zero. */
    if (InterlockedDecrement64(&g_flows.flows_active) == 0 && ReadBooleanNoFence(&g_flows.draining)) {
        KeSetEvent(&g_flows.drained, IO_NO_INCREMENT, FALSE);
    }
}

/* Drops one reference; the last writes the flow's end (when it was ever associated) and frees the context. */
static void mn_flow_release(_Inout_ mn_flow *flow, _In_ BOOLEAN report)
{
    if (InterlockedDecrement(&flow->refs) != 0) {
        return;
    }
    if (report) {
        mn_flow_stats_report_end(flow);
    }
    mn_flow_free(flow);
}

/* Allocates a context holding the creator's reference, unless unload is draining or memory is short. */
static mn_flow *mn_flow_create(_In_ UINT64 flow_id, _In_ UINT32 process_id, _In_ const mn_tuple *tuple)
{
    KIRQL irql;
    BOOLEAN draining;
    mn_flow *flow = (mn_flow *)ExAllocateFromLookasideListEx(&g_flows.lookaside);

    if (flow == NULL) {
        InterlockedIncrement64(&g_flows.alloc_failures);
        goto Exit;
    }
    RtlZeroMemory(flow, sizeof(*flow));
    flow->refs = 1;
    flow->flow_id = flow_id;
    flow->process_id = process_id;
    flow->tuple = *tuple;
    mn_flow_stats_init(flow);

    KeAcquireSpinLock(&g_flows.lock, &irql);
    draining = g_flows.draining;
    if (!draining) {
        InsertTailList(&g_flows.active, &flow->link);
        InterlockedIncrement64(&g_flows.flows_tracked);
        InterlockedIncrement64(&g_flows.flows_active);
    }
    KeReleaseSpinLock(&g_flows.lock, irql);
    if (draining) {
        ExFreeToLookasideListEx(&g_flows.lookaside, flow);
        flow = NULL;
    }

Exit:
    return flow;
}

/* Associates the context at one layer. TRUE when the association is (or was) live. */
static BOOLEAN mn_flow_associate(_Inout_ mn_flow *flow, _In_ int slot, _In_ UINT16 layer_id, _In_ UINT32 callout_id)
{
    mn_flow_association *association = &flow->associations[slot];
    KIRQL irql;
    NTSTATUS status;
    BOOLEAN started;
    BOOLEAN remove_now = FALSE;
    BOOLEAN live = FALSE;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    started = (BOOLEAN)!g_flows.draining;
    if (started) {
        association->layer_id = layer_id;
        association->callout_id = callout_id;
        association->state = MN_ASSOCIATION_ASSOCIATING;
        InterlockedIncrement(&flow->refs); /* the association's reference, dropped by its flowDeleteFn */
    }
    KeReleaseSpinLock(&g_flows.lock, irql);
    if (!started) {
        goto Exit; /* unload has begun: no new association */
    }

    status = FwpsFlowAssociateContext0(flow->flow_id, layer_id, callout_id, (UINT64)(ULONG_PTR)flow);

    KeAcquireSpinLock(&g_flows.lock, &irql);
    if (!NT_SUCCESS(status)) {
        association->state = MN_ASSOCIATION_NONE;
    } else if (association->state == MN_ASSOCIATION_ASSOCIATING) {
        /* Live only now that WFP holds it. If unload began meanwhile, its sweep may already be past this flow,
           so remove it ourselves. (A flowDeleteFn that raced ahead has already set NONE and dropped the ref.) */
        live = TRUE;
        remove_now = g_flows.draining;
        association->state = remove_now ? MN_ASSOCIATION_REMOVING : MN_ASSOCIATION_LIVE;
    } else {
        live = TRUE;
    }
    KeReleaseSpinLock(&g_flows.lock, irql);

    if (!NT_SUCCESS(status)) {
        InterlockedIncrement64(&g_flows.association_failures);
        mn_flow_release(flow, FALSE); /* never the last reference: the creator still holds one */
    } else if (remove_now) {
        (void)FwpsFlowRemoveContext0(flow->flow_id, layer_id, callout_id);
    }

Exit:
    return live;
}

_Use_decl_annotations_
void mn_flow_attach(UINT64 flow_id, UINT32 process_id, const mn_tuple *tuple, const mn_flow_layers *layers)
{
    mn_flow *flow = mn_flow_create(flow_id, process_id, tuple);
    BOOLEAN associated = FALSE;
    int i;

    if (flow == NULL) {
        return;
    }
    for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
        associated = (BOOLEAN)(mn_flow_associate(flow, i, layers->layer_id[i], layers->callout_id[i]) || associated);
    }
    /* The creator's reference goes; the associations keep the context alive. With none, WFP will never report
       this flow's end, so it is freed without FlowDeleted (the failures are counted above). */
    mn_flow_release(flow, associated);
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
    KIRQL irql;
    int i;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
        if (flow->associations[i].state != MN_ASSOCIATION_NONE && flow->associations[i].layer_id == layer_id) {
            flow->associations[i].state = MN_ASSOCIATION_NONE;
            break;
        }
    }
    KeReleaseSpinLock(&g_flows.lock, irql);
    mn_flow_release(flow, TRUE);
}

_Use_decl_annotations_
void mn_flows_count_packet_without_flow(void)
{
    InterlockedIncrement64(&g_flows.packets_without_flow);
}

_Use_decl_annotations_
void mn_flows_count_classify_without_context(void)
{
    InterlockedIncrement64(&g_flows.classifies_without_context);
}

_Use_decl_annotations_
void mn_flows_count_flow_deleted_without_context(void)
{
    InterlockedIncrement64(&g_flows.flows_deleted_without_context);
}

_Use_decl_annotations_
void mn_flows_count_unknown_header(void)
{
    InterlockedIncrement64(&g_flows.packets_unknown_header);
}

_Use_decl_annotations_
void mn_flows_begin_draining(void)
{
    KIRQL irql;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    g_flows.draining = TRUE;
    KeReleaseSpinLock(&g_flows.lock, irql);
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

_Use_decl_annotations_
void mn_flows_report_moved(UINT64 interval)
{
    mn_flow *batch[MN_SWEEP_BATCH];
    mn_flow *cursor = NULL; /* referenced, so still listed: the next pass resumes after it */
    PLIST_ENTRY entry;
    KIRQL irql;
    BOOLEAN more = TRUE;
    int i;

    if (!g_flows.initialized) {
        return;
    }
    while (more) {
        int n = 0;
        KeAcquireSpinLock(&g_flows.lock, &irql);
        entry = cursor != NULL ? cursor->link.Flink : g_flows.active.Flink;
        for (; entry != &g_flows.active && n < MN_SWEEP_BATCH; entry = entry->Flink) {
            mn_flow *flow = CONTAINING_RECORD(entry, mn_flow, link);
            if (mn_flow_stats_due(flow, interval) && mn_flow_try_add_ref(flow)) {
                batch[n++] = flow;
            }
        }
        more = (BOOLEAN)(entry != &g_flows.active);
        KeReleaseSpinLock(&g_flows.lock, irql);
        if (cursor != NULL) {
            mn_flow_release(cursor, TRUE); /* may be the last reference: WFP ended the flow meanwhile */
            cursor = NULL;
        }
        for (i = 0; i < n; i++) {
            mn_flow_stats_report_due(batch[i], interval);
        }
        /* A full batch (the only way `more` is set) keeps its last flow as the next pass's cursor. */
        for (i = 0; i < (more ? n - 1 : n); i++) {
            mn_flow_release(batch[i], TRUE);
        }
        cursor = more ? batch[n - 1] : NULL;
    }
}

/* Under the lock: takes a reference on the first context with a LIVE association, marks those REMOVING and
   copies them out. NULL when no LIVE association is left. */
static mn_flow *mn_flows_next_to_remove(_Out_writes_(MN_FLOW_ASSOCIATIONS) mn_flow_association *to_remove)
{
    KIRQL irql;
    PLIST_ENTRY entry;
    mn_flow *found = NULL;
    int i;

    RtlZeroMemory(to_remove, sizeof(mn_flow_association) * MN_FLOW_ASSOCIATIONS);
    KeAcquireSpinLock(&g_flows.lock, &irql);
    for (entry = g_flows.active.Flink; entry != &g_flows.active && found == NULL; entry = entry->Flink) {
        mn_flow *flow = CONTAINING_RECORD(entry, mn_flow, link);
        BOOLEAN any_live = FALSE;
        for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
            any_live = (BOOLEAN)(any_live || flow->associations[i].state == MN_ASSOCIATION_LIVE);
        }
        if (!any_live || !mn_flow_try_add_ref(flow)) {
            continue;
        }
        for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
            if (flow->associations[i].state == MN_ASSOCIATION_LIVE) {
                to_remove[i] = flow->associations[i];
                flow->associations[i].state = MN_ASSOCIATION_REMOVING;
            }
        }
        found = flow;
    }
    KeReleaseSpinLock(&g_flows.lock, irql);
    return found;
}

_Use_decl_annotations_
void mn_flows_sweep(void)
{
    mn_flow_association to_remove[MN_FLOW_ASSOCIATIONS];
    mn_flow *flow;
    int i;

    if (!g_flows.initialized) {
        return;
    }
    while ((flow = mn_flows_next_to_remove(to_remove)) != NULL) {
        for (i = 0; i < MN_FLOW_ASSOCIATIONS; i++) {
            if (to_remove[i].state == MN_ASSOCIATION_LIVE) {
                /* STATUS_PENDING: a classify is in progress and flowDeleteFn follows it. STATUS_UNSUCCESSFUL: the
                   flow ended meanwhile and its flowDeleteFn has run or is running. Either way it ends. */
                (void)FwpsFlowRemoveContext0(flow->flow_id, to_remove[i].layer_id, to_remove[i].callout_id);
            }
        }
        mn_flow_release(flow, TRUE);
    }
}

_Use_decl_annotations_
BOOLEAN mn_flows_wait_slice(LONG64 slice_100ns)
{
    LARGE_INTEGER slice;

    if (!g_flows.initialized || ReadNoFence64(&g_flows.flows_active) == 0) {
        return TRUE;
    }
    KeClearEvent(&g_flows.drained);
    if (ReadNoFence64(&g_flows.flows_active) == 0) {
        return TRUE; /* the last free came between the read and the clear, and set the event before it */
    }
    slice.QuadPart = -slice_100ns;
    (void)KeWaitForSingleObject(&g_flows.drained, Executive, KernelMode, FALSE, &slice);
    return (BOOLEAN)(ReadNoFence64(&g_flows.flows_active) == 0);
}

_Use_decl_annotations_
UINT64 mn_flows_outstanding(void)
{
    return (UINT64)ReadNoFence64(&g_flows.flows_active);
}

_Use_decl_annotations_
void mn_flows_health(mn_health_counters *counters)
{
    counters->flows_tracked = (UINT64)ReadNoFence64(&g_flows.flows_tracked);
    counters->flows_active = (UINT64)ReadNoFence64(&g_flows.flows_active);
    counters->context_alloc_failures = (UINT64)ReadNoFence64(&g_flows.alloc_failures);
    counters->packets_without_flow = (UINT64)ReadNoFence64(&g_flows.packets_without_flow);
    counters->association_failures = (UINT64)ReadNoFence64(&g_flows.association_failures);
    counters->classifies_without_context = (UINT64)ReadNoFence64(&g_flows.classifies_without_context);
    counters->flows_deleted_without_context = (UINT64)ReadNoFence64(&g_flows.flows_deleted_without_context);
    counters->packets_unknown_header = (UINT64)ReadNoFence64(&g_flows.packets_unknown_header);
}
