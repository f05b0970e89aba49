/*
 * What flows moved: the packet path's counters on each context (interlocked adds only, at DISPATCH_LEVEL, no lock),
 * and the table's counts of the unusual, which DriverHealth and DriverStopping report.
 */
#include "mn_flow_table.h"

_Use_decl_annotations_
void mn_flow_count_packet(mn_flow *flow, UINT8 direction, UINT32 bytes)
{
    if (direction == FWP_DIRECTION_INBOUND) {
        InterlockedIncrement64(&flow->packets_in);
        InterlockedAdd64(&flow->bytes_in, (LONG64)bytes);
    } else {
        InterlockedIncrement64(&flow->packets_out);
        InterlockedAdd64(&flow->bytes_out, (LONG64)bytes);
    }
}

_Use_decl_annotations_
void mn_flows_count_packet_without_flow(void)
{
    InterlockedIncrement64(&g_flows.packets_without_flow);
}

_Use_decl_annotations_
void mn_flows_count_classify_without_context(void)
{
    InterlockedIncrement64(&g_flows.classifies_without_context);
}

_Use_decl_annotations_
void mn_flows_count_flow_deleted_without_context(void)
{
    InterlockedIncrement64(&g_flows.flows_deleted_without_context);
}

_Use_decl_annotations_
void mn_flows_count_unknown_header(void)
{
    InterlockedIncrement64(&g_flows.packets_unknown_header);
}
