/*
 * Unload racing the driver's own callouts, on real threads: a flow-established classify interleaved with unload,
 * and an unload whose sweep arrives while an association is still being made. Each runs RACE_ITERATIONS times
 * with varying timing; harness_main's watchdog fails the test if any iteration hangs. Also: the bounds expire,
 * and unload still ends and says what was outstanding.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "scenarios.h"

#define RACE_ITERATIONS 1000

typedef struct classify_job { UINT64 first_flow; int flows; } classify_job;

static void *classify_flows(void *arg)
{
    const classify_job *job = (const classify_job *)arg;
    int i;
    for (i = 0; i < job->flows; i++) {
        UINT64 flow = job->first_flow + (UINT64)i;
        harness_establish_v4(flow, 1, L"race.exe", 0x0A000001, (UINT16)(20000 + i), 0x0A000002, 443, 6, 0);
        harness_packets_v4(TRUE, flow, 0x0A000001, (UINT16)(20000 + i), 0x0A000002, 443, 6, 1, 10, 0);
    }
    return NULL;
}

static void spin_us(int us)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000 < us);
}

/* After unload and join: nothing of the driver's is left, no bound expired, no kernel rule was broken. */
static int iteration_failed(const char *scenario, int iteration)
{
    int before = g_failures;
    CHECK_EQ(fake_violations(), 0);
    CHECK_EQ(fake_live_allocations(), 0);
    CHECK_EQ(fake_associations_live(), 0);
    CHECK_EQ(fake_callouts_registered(), 0);
    CHECK_EQ(fake_lookaside_lists_live(), 0);
    CHECK_EQ(fake_trace_count_named("UnloadTimeout"), 0);
    CHECK_EQ(fake_trace_count_named("DriverStopping"), 1);
    if (g_failures != before) {
        fprintf(stderr, "%s: iteration %d failed (%s)\n", scenario, iteration, fake_last_violation());
        return 1;
    }
    return 0;
}

void race_flow_established_interleaved_with_unload(void)
{
    int it;
    for (it = 0; it < RACE_ITERATIONS; it++) {
        pthread_t thread;
        classify_job job = {10000, 6};
        fake_reset();
        CHECK(NT_SUCCESS(harness_load()));
        harness_establish_v4(1, 1, L"live.exe", 0x0A000001, 1, 0x0A000002, 2, 6, 0); /* a context unload must remove */
        pthread_create(&thread, NULL, classify_flows, &job);
        spin_us(it % 97); /* unload starts before, during or after the classifies */
        harness_unload();
        pthread_join(thread, NULL);
        if (iteration_failed(__func__, it)) break;
    }
}

static volatile int g_hook_armed;
static volatile int g_unload_may_start;
static int g_hook_delay_us;

/* Runs inside FwpsFlowAssociateContext0, after the driver marked the slot ASSOCIATING: let unload go, then stall. */
static void stall_first_association(void)
{
    if (__atomic_exchange_n(&g_hook_armed, 0, __ATOMIC_SEQ_CST)) {
        __atomic_store_n(&g_unload_may_start, 1, __ATOMIC_SEQ_CST);
        spin_us(g_hook_delay_us);
    }
}

void race_removal_before_association_completes(void)
{
    int it;
    for (it = 0; it < RACE_ITERATIONS; it++) {
        pthread_t thread;
        classify_job job = {500, 1};
        fake_reset();
        CHECK(NT_SUCCESS(harness_load()));
        g_hook_delay_us = it % 200;
        __atomic_store_n(&g_unload_may_start, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&g_hook_armed, 1, __ATOMIC_SEQ_CST);
        fake_set_associate_hook(stall_first_association);
        pthread_create(&thread, NULL, classify_flows, &job);
        while (!__atomic_load_n(&g_unload_may_start, __ATOMIC_SEQ_CST)) sched_yield();
        harness_unload(); /* sweeps while the association is in flight */
        pthread_join(thread, NULL);
        fake_set_associate_hook(NULL);
        if (iteration_failed(__func__, it)) break;
    }
}

void unload_past_its_bound_reports_and_keeps_waiting(void)
{
    const fake_trace_event *contexts;
    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4(1, 1, L"a.exe", 0x0A000001, 1, 0x0A000002, 2, 6, 0);
    harness_establish_v4(2, 1, L"a.exe", 0x0A000001, 3, 0x0A000002, 4, 6, 0);
    fake_set_remove_context_pending(1);
    fake_set_pending_delay_ms(1500); /* WFP delivers the flowDeleteFns well after unload's 5 s (0.5 s here) bound */
    harness_unload();                /* must wait for them: giving up would leave WFP calling freed code */
    contexts = harness_event("UnloadTimeout", 0);
    CHECK(contexts != NULL);
    if (contexts == NULL) return;
    CHECK_EQ(harness_field(contexts, "Stage")->value, 1);
    CHECK_EQ(harness_field(contexts, "FlowsOutstanding")->value, 2);
    CHECK_EQ(harness_field(contexts, "CalloutsOutstanding")->value, 2); /* v4 inbound and outbound transport */
    CHECK_EQ(fake_trace_count_named("UnloadTimeout"), 1); /* once, not once a slice */
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 2);   /* then each flow ended normally */
    CHECK_EQ(fake_callouts_registered(), 0);
    CHECK_EQ(fake_live_allocations(), 0);
    CHECK_EQ(fake_calls_of("ExDeleteLookasideListEx"), 1);
    CHECK_EQ(fake_engine_open(), 0);
    CHECK_EQ(fake_trace_registered(), 0);
}
