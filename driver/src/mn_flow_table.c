/*
 * The flow table: where contexts come from and go back to, the list unload walks, and the counters. Contexts come
 * from a non-paged lookaside list because they are created in classify at DISPATCH_LEVEL.
 */
#include "mn_flow_table.h"
#include "mn_flow_stats.h"
#include "mn_pooltags.h"

mn_flow_table g_flows;

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

_Use_decl_annotations_
mn_flow *mn_flow_table_create(UINT64 flow_id, UINT32 process_id, const mn_tuple *tuple)
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

_Use_decl_annotations_
void mn_flow_table_free(mn_flow *flow)
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

_Use_decl_annotations_
BOOLEAN mn_flow_try_add_ref(mn_flow *flow)
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
void mn_flows_begin_draining(void)
{
    KIRQL irql;

    KeAcquireSpinLock(&g_flows.lock, &irql);
    g_flows.draining = TRUE;
    KeReleaseSpinLock(&g_flows.lock, irql);
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
