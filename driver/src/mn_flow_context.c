/*
 * A context's life: its references, its two WFP associations and how they end. The association protocol (mn_flow.h)
 * is decided here, under the table's lock. WFP calls (associate, remove) are never made under that lock:
 * FwpsFlowRemoveContext0 may call flowDeleteFn synchronously, and flowDeleteFn takes it.
 */
#include "mn_flow_table.h"
#include "mn_flow_stats.h"

_Use_decl_annotations_
void mn_flow_release(mn_flow *flow, BOOLEAN report)
{
    if (InterlockedDecrement(&flow->refs) != 0) {
        return;
    }
    if (report) {
        mn_flow_stats_report_end(flow);
    }
    mn_flow_table_free(flow);
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
    mn_flow *flow = mn_flow_table_create(flow_id, process_id, tuple);
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
