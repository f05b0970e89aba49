/* The DriverHealth timer. The DPC runs at DISPATCH_LEVEL: it reads interlocked counters and writes one event. */
#include "mn_health.h"
#include "mn_flow.h"
#include "mn_trace.h"

static KTIMER g_health_timer;
static KDPC g_health_dpc;
static BOOLEAN g_health_started;

static KDEFERRED_ROUTINE mn_health_dpc;

_Use_decl_annotations_
static void mn_health_dpc(PKDPC dpc, PVOID context, PVOID argument1, PVOID argument2)
{
    mn_health_counters counters;

    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(context);
    UNREFERENCED_PARAMETER(argument1);
    UNREFERENCED_PARAMETER(argument2);
    mn_flows_health(&counters);
    mn_trace_driver_health(&counters);
}

_Use_decl_annotations_
void mn_health_start(void)
{
    LARGE_INTEGER due;

    KeInitializeDpc(&g_health_dpc, mn_health_dpc, NULL);
    KeInitializeTimerEx(&g_health_timer, NotificationTimer);
    due.QuadPart = -10000LL * MN_HEALTH_INTERVAL_MS; /* relative, in 100 ns units */
    (void)KeSetTimerEx(&g_health_timer, due, MN_HEALTH_INTERVAL_MS, &g_health_dpc);
    g_health_started = TRUE;
}

_Use_decl_annotations_
void mn_health_stop(void)
{
    if (!g_health_started) {
        return;
    }
    (void)KeCancelTimer(&g_health_timer);
    KeFlushQueuedDpcs(); /* a DPC the timer queued before the cancel may still be running */
    g_health_started = FALSE;
}
