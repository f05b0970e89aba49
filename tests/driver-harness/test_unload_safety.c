/*
 * Unload against a WFP that does not let go at once, as the real engine behaves: a classify still running in our
 * code, STATUS_DEVICE_BUSY from FwpsCalloutUnregisterById0 while a flow holds a context, flowDeleteFns that arrive
 * late, and many loads and unloads in a row. harness_unload fails each of them when DriverUnload returns with
 * anything WFP could still call (fake_driver_image_unmapped), which the bounded unload of earlier versions did.
 * Also the stand-in's own IRQL rules, so a kinder stand-in cannot pass them silently.
 */
#include <pthread.h>
#include <unistd.h>
#include "harness.h"
#include "scenarios.h"

#define LOCAL4 0x0A000001u
#define REMOTE4 0x0A000002u

static void establish_with_packets(UINT64 first_flow, int count)
{
    int i;
    for (i = 0; i < count; i++) {
        UINT64 flow = first_flow + (UINT64)i;
        harness_establish_v4(flow, 7, L"a.exe", LOCAL4, (UINT16)(40000 + i), REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
        harness_packets_v4(TRUE, flow, LOCAL4, (UINT16)(40000 + i), REMOTE4, 443, 6, 1, 100, 0);
    }
}

/* ---- a classify held inside our code while unload runs ---- */

static volatile int g_gate_armed, g_gate_entered, g_gate_open, g_unload_done;

static void hold_first_transport_classify(UINT16 layer_id)
{
    if (layer_id != FWPS_LAYER_INBOUND_TRANSPORT_V4 || !__atomic_exchange_n(&g_gate_armed, 0, __ATOMIC_SEQ_CST)) return;
    __atomic_store_n(&g_gate_entered, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&g_gate_open, __ATOMIC_SEQ_CST)) usleep(200);
}

static void *packets_of_flow_1000(void *arg)
{
    (void)arg;
    harness_packets_v4(TRUE, 1000, LOCAL4, 40000, REMOTE4, 443, 6, 3, 50, 0);
    return NULL;
}

static void *unload_thread(void *arg)
{
    (void)arg;
    harness_unload();
    __atomic_store_n(&g_unload_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

void unload_waits_for_a_classify_in_flight(void)
{
    pthread_t classify, unload;
    const fake_trace_event *deleted;

    g_gate_armed = 1;
    g_gate_entered = g_gate_open = g_unload_done = 0;
    CHECK(NT_SUCCESS(harness_load()));
    establish_with_packets(1000, 3);
    fake_set_classify_hook(hold_first_transport_classify);
    pthread_create(&classify, NULL, packets_of_flow_1000, NULL);
    while (!__atomic_load_n(&g_gate_entered, __ATOMIC_SEQ_CST)) usleep(200);

    pthread_create(&unload, NULL, unload_thread, NULL);
    /* 2 s: four times both of the bounds that the earlier unload gave up after (0.5 s each, time compressed 10x). */
    usleep(2000 * 1000);
    CHECK_EQ(__atomic_load_n(&g_unload_done, __ATOMIC_SEQ_CST), 0); /* still waiting, as it must */
    CHECK(fake_callouts_registered() > 0);
    CHECK_EQ(fake_lookaside_lists_live(), 1);
    CHECK(fake_unregister_busy_with_contexts() > 0); /* WFP refused while flow 1000 held its context */

    __atomic_store_n(&g_gate_open, 1, __ATOMIC_SEQ_CST);
    pthread_join(classify, NULL);
    pthread_join(unload, NULL);
    fake_set_classify_hook(NULL);

    CHECK_EQ(g_unload_done, 1);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 3);
    CHECK_EQ(fake_trace_count_named("UnloadTimeout"), 1); /* said once that it was still waiting */
    deleted = harness_event("FlowDeleted", 0);
    CHECK(deleted != NULL);
    harness_check_nothing_left();
}

void unload_unregister_busy_while_contexts_exist(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    establish_with_packets(2000, 4);
    fake_set_remove_context_pending(1);
    fake_set_pending_delay_ms(1200); /* flowDeleteFns come late, past every bound the earlier unload had */
    harness_unload();
    CHECK(fake_unregister_busy_with_contexts() > 0); /* unregistering was refused while contexts existed */
    CHECK(fake_calls_of("FwpsCalloutUnregisterById0") > 6);
    CHECK(fake_calls_of("FwpsFlowRemoveContext0") >= 8);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 4);
    CHECK_EQ(fake_calls_of("ExDeleteLookasideListEx"), 1);
    harness_check_nothing_left();
}

void repeated_load_and_unload(void)
{
    int round;
    for (round = 0; round < 25; round++) {
        int failures_before = g_failures;
        CHECK(NT_SUCCESS(harness_load()));
        establish_with_packets((UINT64)(round * 100 + 1), 5);
        fake_end_flow((UINT64)(round * 100 + 1)); /* one flow ends on its own, the rest at unload */
        if (round % 5 == 4) {
            /* Some rounds' flowDeleteFns come late; two come after the earlier unload's 0.5 s bound. */
            fake_set_remove_context_pending(1);
            fake_set_pending_delay_ms(round == 9 || round == 19 ? 700 : 50);
        }
        harness_unload();
        fake_set_remove_context_pending(0);
        fake_set_pending_delay_ms(0);
        CHECK_EQ(fake_trace_count_named("FlowDeleted"), 5 * (round + 1));
        harness_check_nothing_left();
        CHECK_EQ(fake_violations(), 0);
        if (g_failures != failures_before) {
            fprintf(stderr, "round %d failed\n", round);
            return;
        }
    }
    CHECK_EQ(fake_calls_of("ExInitializeLookasideListEx"), fake_calls_of("ExDeleteLookasideListEx"));
}

/* ---- the stand-in's IRQL rules catch what Windows would bugcheck on ---- */

static void unregister_at_dispatch(UINT16 layer_id)
{
    (void)layer_id;
    (void)FwpsCalloutUnregisterById0(1);
}

void stand_in_enforces_irql_rules(void)
{
    LARGE_INTEGER delay;
    KIRQL irql;

    CHECK(NT_SUCCESS(harness_load()));
    establish_with_packets(3000, 1);
    CHECK_EQ(fake_violations(), 0); /* the driver itself breaks none */

    /* A PASSIVE_LEVEL API called from classify, which runs at DISPATCH_LEVEL. */
    fake_set_classify_hook(unregister_at_dispatch);
    harness_packets_v4(TRUE, 3000, LOCAL4, 40000, REMOTE4, 443, 6, 1, 10, 0);
    fake_set_classify_hook(NULL);
    CHECK_EQ(fake_violations(), 1);

    /* A wait under a spin lock. */
    {
        KSPIN_LOCK lock;
        KeInitializeSpinLock(&lock);
        KeAcquireSpinLock(&lock, &irql);
        delay.QuadPart = -10;
        (void)KeDelayExecutionThread(KernelMode, FALSE, &delay);
        KeReleaseSpinLock(&lock, irql);
    }
    CHECK_EQ(fake_violations(), 2);
    harness_unload();
    fake_reset(); /* the violations above were made on purpose */
}
