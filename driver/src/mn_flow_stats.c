/* FlowStats: the interval rule of mn_flow_stats.h, on the packet path, in the sweep and at a flow's end. */
#include "mn_flow_stats.h"
#include "mn_periodic.h"

#define MN_100NS_PER_SECOND 10000000ULL

#if MN_FLOW_STATS_INTERVAL_SECONDS < 1 || MN_FLOW_STATS_INTERVAL_SECONDS > 3600
#error MN_FLOW_STATS_INTERVAL_SECONDS must be 1 to 3600
#endif

static mn_periodic g_sweep_timer;

static KDEFERRED_ROUTINE mn_flow_stats_sweep_dpc;

_Use_decl_annotations_
UINT64 mn_flow_stats_interval_now(void)
{
    LARGE_INTEGER now;

    KeQuerySystemTimePrecise(&now);
    return (UINT64)now.QuadPart / (MN_FLOW_STATS_INTERVAL_SECONDS * MN_100NS_PER_SECOND);
}

static void mn_flow_read_counters(_In_ const mn_flow *flow, _Out_ mn_flow_counters *counters)
{
    counters->packets_in = (UINT64)ReadNoFence64(&flow->packets_in);
    counters->bytes_in = (UINT64)ReadNoFence64(&flow->bytes_in);
    counters->packets_out = (UINT64)ReadNoFence64(&flow->packets_out);
    counters->bytes_out = (UINT64)ReadNoFence64(&flow->bytes_out);
}

static UINT64 mn_flow_packets(_In_ const mn_flow *flow)
{
    return (UINT64)ReadNoFence64(&flow->packets_in) + (UINT64)ReadNoFence64(&flow->packets_out);
}

/* Moves the flow's interval from `seen` to `interval`. TRUE for the one caller that did: it owns the record. */
static BOOLEAN mn_flow_stats_claim(_Inout_ mn_flow *flow, _In_ LONG64 seen, _In_ UINT64 interval)
{
    return (BOOLEAN)(InterlockedCompareExchange64(&flow->report_interval, (LONG64)interval, seen) == seen);
}

/* The claimer's record: the counters as they are now, remembered as reported. */
static void mn_flow_stats_write(_Inout_ mn_flow *flow)
{
    mn_flow_counters counters;

    mn_flow_read_counters(flow, &counters);
    flow->reported_packets = counters.packets_in + counters.packets_out;
    mn_trace_flow_stats(flow->flow_id, flow->process_id, &flow->tuple, &counters);
}

_Use_decl_annotations_
void mn_flow_stats_init(mn_flow *flow)
{
    flow->report_interval = (LONG64)mn_flow_stats_interval_now();
    flow->reported_packets = 0;
}

_Use_decl_annotations_
void mn_flow_stats_before_packets(mn_flow *flow)
{
    UINT64 interval = mn_flow_stats_interval_now();
    LONG64 seen = ReadNoFence64(&flow->report_interval);

    if ((UINT64)seen >= interval || !mn_flow_stats_claim(flow, seen, interval)) {
        return; /* the usual case: same interval, or another processor is writing this interval's record */
    }
    /* Written even when the flow was quiet since its last record (the same counters again): it tells the reader
       that the packets after it belong to this interval, not to the one of the last record. */
    mn_flow_stats_write(flow);
}

_Use_decl_annotations_
BOOLEAN mn_flow_stats_due(const mn_flow *flow, UINT64 interval)
{
    return (BOOLEAN)((UINT64)ReadNoFence64(&flow->report_interval) < interval &&
                     mn_flow_packets(flow) != flow->reported_packets);
}

_Use_decl_annotations_
void mn_flow_stats_report_due(mn_flow *flow, UINT64 interval)
{
    LONG64 seen = ReadNoFence64(&flow->report_interval);

    if ((UINT64)seen < interval && mn_flow_stats_claim(flow, seen, interval)) {
        mn_flow_stats_write(flow);
    }
}

_Use_decl_annotations_
void mn_flow_stats_report_end(mn_flow *flow)
{
    mn_flow_counters totals;

    /* The last reference: no classify and no sweep holds this flow any more, so no claim is needed. */
    mn_flow_read_counters(flow, &totals);
    if (totals.packets_in + totals.packets_out != flow->reported_packets) {
        mn_trace_flow_stats(flow->flow_id, flow->process_id, &flow->tuple, &totals);
    }
    mn_trace_flow_deleted(flow->flow_id, flow->process_id, &flow->tuple, &totals);
}

_Use_decl_annotations_
static void mn_flow_stats_sweep_dpc(PKDPC dpc, PVOID context, PVOID argument1, PVOID argument2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(context);
    UNREFERENCED_PARAMETER(argument1);
    UNREFERENCED_PARAMETER(argument2);
    if (mn_trace_flow_enabled()) {
        mn_flows_report_moved(mn_flow_stats_interval_now());
    }
}

_Use_decl_annotations_
void mn_flow_stats_start(void)
{
    mn_periodic_start(&g_sweep_timer, mn_flow_stats_sweep_dpc, MN_FLOW_STATS_INTERVAL_SECONDS * 1000);
}

_Use_decl_annotations_
void mn_flow_stats_stop(void)
{
    mn_periodic_stop(&g_sweep_timer); /* a sweep still running is waited for */
}
