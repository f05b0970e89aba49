/* Load, unload and failure paths: everything undone exactly once, in reverse order, with no use after free. */
#include <string.h>
#include "harness.h"
#include "scenarios.h"

static void establish_flows(int count)
{
    int i;
    for (i = 0; i < count; i++) {
        harness_establish_v4((UINT64)(1000 + i), (UINT32)(10 + i), L"a.exe", 0x0A000001, (UINT16)(40000 + i), 0x0A000002, 80, 6, 0);
        harness_packets_v4(TRUE, (UINT64)(1000 + i), 0x0A000001, (UINT16)(40000 + i), 0x0A000002, 80, 6, 1, 10, 0);
    }
}

void unload_with_live_flows_frees_each_once(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    establish_flows(50);
    CHECK_EQ(fake_live_allocations(), 50);
    CHECK_EQ(fake_associations_live(), 100);
    harness_unload();
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 50); /* each live flow reports its totals once */
    harness_check_nothing_left();
}

void unload_order_filters_contexts_callouts_engine_provider(void)
{
    int last_filter_delete, first_remove, last_remove, first_unregister, last_unregister, close, unregister_provider;

    CHECK(NT_SUCCESS(harness_load()));
    CHECK(fake_engine_was_dynamic());
    establish_flows(3);
    harness_unload();

    last_filter_delete = fake_call_index("FwpmFilterDeleteById0", 6);
    first_remove = fake_call_index("FwpsFlowRemoveContext0", 1);
    last_remove = fake_call_index("FwpsFlowRemoveContext0", 6);
    first_unregister = fake_call_index("FwpsCalloutUnregisterById0", 1);
    last_unregister = fake_call_index("FwpsCalloutUnregisterById0", 6);
    close = fake_call_index("FwpmEngineClose0", 1);
    unregister_provider = fake_call_index("TraceLoggingUnregister", 1);
    CHECK(last_filter_delete >= 0 && first_remove > last_filter_delete);
    CHECK(last_remove >= 0 && first_unregister > last_remove);
    CHECK(last_unregister >= 0 && close > last_unregister);
    CHECK(close >= 0 && unregister_provider > close);
    CHECK_EQ(fake_calls_of("TraceLoggingUnregister"), 1);
    harness_check_nothing_left();
}

void unload_with_pending_context_removal_waits(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    establish_flows(4);
    fake_set_remove_context_pending(1); /* a classify is in flight: deletions arrive later */
    harness_unload();
    CHECK(fake_calls_of("KeWaitForSingleObject") >= 1);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 4);
    harness_check_nothing_left();
}

void unload_retries_busy_callout_unregister(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    fake_set_unregister_busy_times(3);
    harness_unload();
    CHECK_EQ(fake_calls_of("FwpsCalloutUnregisterById0"), 6 + 3);
    CHECK(fake_calls_of("KeDelayExecutionThread") >= 1); /* each BUSY round: sweep, wait, retry the busy ones */
    harness_check_nothing_left();
}

void driver_entry_failures_undo_everything(void)
{
    static const struct { const char *api; int occurrence; } k_steps[] = {
        {"TraceLoggingRegister", 1}, {"ExInitializeLookasideListEx", 1}, {"IoCreateDevice", 1},
        {"FwpsCalloutRegister3", 1}, {"FwpsCalloutRegister3", 4}, {"FwpmEngineOpen0", 1},
        {"FwpmTransactionBegin0", 1}, {"FwpmProviderAdd0", 1}, {"FwpmSubLayerAdd0", 1},
        {"FwpmCalloutAdd0", 3}, {"FwpmFilterAdd0", 1}, {"FwpmFilterAdd0", 6}, {"FwpmTransactionCommit0", 1},
    };
    size_t i;

    for (i = 0; i < sizeof(k_steps) / sizeof(k_steps[0]); i++) {
        fake_reset();
        fake_fail_call(k_steps[i].api, k_steps[i].occurrence);
        if (NT_SUCCESS(harness_load())) {
            fprintf(stderr, "DriverEntry succeeded although %s #%d failed\n", k_steps[i].api, k_steps[i].occurrence);
            g_failures++;
        }
        harness_check_nothing_left();
        CHECK_EQ(fake_calls_of("TraceLoggingRegister"), fake_calls_of("TraceLoggingUnregister") + (k_steps[i].occurrence == 1 && strcmp(k_steps[i].api, "TraceLoggingRegister") == 0 ? 1 : 0));
        if (fake_violations() != 0) {
            fprintf(stderr, "after %s #%d failed: %s\n", k_steps[i].api, k_steps[i].occurrence, fake_last_violation());
            g_failures++;
        }
    }
    fake_reset(); /* the violations above were reported per step */
}

void reload_after_unload_starts_clean(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    establish_flows(2);
    harness_unload();
    CHECK(NT_SUCCESS(harness_load())); /* fixed keys in a dynamic session: nothing left to collide with */
    CHECK_EQ(fake_callouts_registered(), 6);
    CHECK_EQ(fake_filters_live(), 6);
    establish_flows(2);
    harness_unload();
    harness_check_nothing_left();
}
