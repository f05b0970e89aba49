/*
 * FlowStats: a flow's cumulative counters while it lives, written at most once per active interval for a flow
 * whose counters moved (NetFlow/IPFIX's active timeout), and once more before FlowDeleted if they moved since.
 *
 * Intervals are aligned to the UTC clock: interval n is [n * I, (n + 1) * I) of system time, I =
 * MN_FLOW_STATS_INTERVAL_SECONDS. Each flow remembers the interval of its last record (creation counts as one).
 * A record is written the first time the driver notices a later interval for a flow: on the packet path, before
 * the packets that noticed it are counted (even if the flow was quiet since its last record: that record, with
 * the same counters, marks where the new packets begin), or in the periodic sweep for a flow that moved and then
 * went quiet. A flow that stays quiet gets no record. Hence the increase a record reports happened within the
 * interval of the flow's previous record, and the collector places it there: with the default 60 s, its minute
 * rollups match those built from Packet events.
 * (A packet counted on another processor in the instant a record is taken may land in the neighbouring interval.)
 *
 * The packet path never sets or waits on a timer: it reads the clock and compares one integer per NET_BUFFER_LIST;
 * only the first packet of a new interval does more (one compare-exchange that elects the writer).
 *
 * To change the interval, set MN_FLOW_STATS_INTERVAL_SECONDS (1 to 3600; a divisor of 60 or a multiple of it keeps
 * intervals on minute boundaries) and rebuild.
 */
#pragma once
#include "mn_wdk.h"
#include "mn_flow.h"

#ifndef MN_FLOW_STATS_INTERVAL_SECONDS
#define MN_FLOW_STATS_INTERVAL_SECONDS 60
#endif

/* The active interval the system clock is in now. */
_IRQL_requires_max_(DISPATCH_LEVEL) UINT64 mn_flow_stats_interval_now(void);

/* A new context starts in the current interval, with nothing reported. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_stats_init(_Inout_ mn_flow *flow);

/* Classify's half: call before counting a NET_BUFFER_LIST's packets on `flow`. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_stats_before_packets(_Inout_ mn_flow *flow);

/* TRUE when the sweep should report `flow` in `interval` (read under the flow table's lock; no side effects). */
_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN mn_flow_stats_due(_In_ const mn_flow *flow, _In_ UINT64 interval);

/* The sweep's half: writes FlowStats when `flow` is still due and this caller wins the interval. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_stats_report_due(_Inout_ mn_flow *flow, _In_ UINT64 interval);

/* The last reference's half: FlowStats when the counters moved since the last record, then FlowDeleted. */
_IRQL_requires_max_(DISPATCH_LEVEL) void mn_flow_stats_report_end(_Inout_ mn_flow *flow);

/* The sweep timer, every interval while the driver is loaded. Stop cancels it and waits for a queued DPC. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_flow_stats_start(void);
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_flow_stats_stop(void);
