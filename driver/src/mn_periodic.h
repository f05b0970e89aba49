/*
 * A periodic timer whose DPC runs every period while the driver is loaded: the DriverHealth event and the FlowStats
 * sweep each own one. Stop cancels the timer and waits for a DPC already queued, so nothing of ours runs after unload.
 */
#pragma once
#include "mn_wdk.h"

typedef struct mn_periodic {
    KTIMER timer;
    KDPC dpc;
    BOOLEAN started;
} mn_periodic;

/* The first DPC runs one period after the start. */
_IRQL_requires_max_(PASSIVE_LEVEL)
void mn_periodic_start(_Out_ mn_periodic *periodic, _In_ PKDEFERRED_ROUTINE routine, _In_ LONG period_ms);

_IRQL_requires_max_(PASSIVE_LEVEL) void mn_periodic_stop(_Inout_ mn_periodic *periodic);
