/*
 * The periodic DriverHealth event: every MN_HEALTH_INTERVAL_MS while the driver is loaded, a timer DPC writes the
 * health counters when a session has the Health keyword enabled (otherwise the DPC only checks and returns).
 * The interval is a compile-time constant; change MN_HEALTH_INTERVAL_MS and rebuild to change it.
 */
#pragma once
#include "mn_wdk.h"

#define MN_HEALTH_INTERVAL_MS 60000

_IRQL_requires_max_(PASSIVE_LEVEL) void mn_health_start(void);

/* Cancels the timer and waits for a DPC already queued, so nothing of ours runs after unload. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_health_stop(void);
