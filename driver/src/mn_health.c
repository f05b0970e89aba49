/* The DriverHealth timer. The DPC runs at DISPATCH_LEVEL: it reads interlocked counters and writes one event. */
#include "mn_health.h"
#include "mn_flow.h"
#include "mn_periodic.h"
#include "mn_trace.h"

static mn_periodic g_health_timer;

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
    mn_periodic_start(&g_health_timer, mn_health_dpc, MN_HEALTH_INTERVAL_MS);
}

_Use_decl_annotations_
void mn_health_stop(void)
{
    mn_periodic_stop(&g_health_timer);
}
