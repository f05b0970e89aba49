/*
 * Registration with the Windows Filtering Platform: callouts with the filter engine, then provider, sublayer,
 * callouts and inspection filters in one transaction of a dynamic session, so that everything this driver
 * added disappears with its engine handle and a reload starts clean.
 */
#pragma once
#include "mn_wdk.h"

#define MN_CALLOUT_COUNT 6

_IRQL_requires_max_(PASSIVE_LEVEL) _Must_inspect_result_ NTSTATUS mn_wfp_start(_In_ PDEVICE_OBJECT device);

/* Reverse of start, safe after a partial start: filters, flow contexts, callouts, engine. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_wfp_stop(void);
