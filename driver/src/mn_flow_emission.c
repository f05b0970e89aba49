/*
 * The periodic sweep's half of FlowStats: every flow whose counters moved in an interval before the current one is
 * reported (busy flows report themselves on the packet path, mn_flow_stats.c). Event writes never happen under the
 * table's lock: contexts are referenced in batches under it and reported outside it.
 */
#include "mn_flow_table.h"
#include "mn_flow_stats.h"

/* The sweep reports this many flows per pass over the list, outside the lock. */
#define MN_SWEEP_BATCH 32

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
