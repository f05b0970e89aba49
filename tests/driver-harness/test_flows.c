/* Classify and flow accounting: what the driver writes for established flows and their packets. */
#include <string.h>
#include "harness.h"
#include "scenarios.h"

#define LOCAL4 0xC0A8010Au  /* 192.168.1.10 */
#define REMOTE4 0x5DB8D822u /* 93.184.216.34 */

static UINT64 field_u64(const fake_trace_event *e, const char *name)
{
    const fake_trace_field *f = harness_field(e, name);
    CHECK(f != NULL);
    return f != NULL ? f->value : 0xDEADBEEF;
}

void flow_lifecycle_totals_match_packets(void)
{
    const UINT64 flow = 0x8000000000000042ULL; /* FlowIds at and above 2^63 must survive */
    const fake_trace_event *e;
    UINT8 mapped[16];
    int i;

    CHECK(NT_SUCCESS(harness_load()));
    CHECK_EQ(harness_establish_v4(flow, 4242, L"\\device\\harddiskvolume3\\app.exe", LOCAL4, 50123, REMOTE4, 443, 6,
                                  FWP_DIRECTION_OUTBOUND), FWP_ACTION_CONTINUE);
    for (i = 0; i < 3; i++) harness_packets_v4(FALSE, flow, LOCAL4, 50123, REMOTE4, 443, 6, 2, 100, 20);
    for (i = 0; i < 5; i++) harness_packets_v4(TRUE, flow, LOCAL4, 50123, REMOTE4, 443, 6, 1, 1400, 0);
    fake_end_flow(flow);

    e = harness_event("FlowEstablished", 0);
    CHECK(e != NULL);
    CHECK_EQ(field_u64(e, "FlowId"), flow);
    CHECK_EQ(field_u64(e, "ProcessId"), 4242);
    CHECK_EQ(field_u64(e, "Direction"), 0);
    CHECK_EQ(field_u64(e, "Protocol"), 6);
    CHECK_EQ(field_u64(e, "LocalPort"), 50123);
    CHECK_EQ(field_u64(e, "RemotePort"), 443);
    harness_v4_mapped(LOCAL4, mapped);
    CHECK(harness_field(e, "LocalAddress") && memcmp(harness_field(e, "LocalAddress")->bytes, mapped, 16) == 0);
    harness_v4_mapped(REMOTE4, mapped);
    CHECK(harness_field(e, "RemoteAddress") && memcmp(harness_field(e, "RemoteAddress")->bytes, mapped, 16) == 0);
    CHECK(harness_text_equals(harness_field(e, "ProcessPath"), L"\\device\\harddiskvolume3\\app.exe"));

    CHECK_EQ(fake_trace_count_named("Packet"), 11);
    for (i = 0; i < 11; i++) {
        e = harness_event("Packet", i);
        CHECK_EQ(field_u64(e, "FlowId"), flow);
        CHECK_EQ(field_u64(e, "ProcessId"), 4242); /* from the flow context, never the current thread */
    }
    e = harness_event("FlowDeleted", 0);
    CHECK(e != NULL);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 1);
    CHECK_EQ(field_u64(e, "FlowId"), flow);
    CHECK_EQ(field_u64(e, "PacketsOut"), 6);
    CHECK_EQ(field_u64(e, "BytesOut"), 600);
    CHECK_EQ(field_u64(e, "PacketsIn"), 5);
    CHECK_EQ(field_u64(e, "BytesIn"), 7000);
    CHECK_EQ(fake_live_allocations(), 0);
    harness_unload();
}

void packet_without_flow_has_zero_ids(void)
{
    const fake_trace_event *e;
    CHECK(NT_SUCCESS(harness_load()));
    CHECK_EQ(harness_packets_v4(TRUE, 0, LOCAL4, 5353, REMOTE4, 5353, 17, 1, 77, 0), FWP_ACTION_CONTINUE);
    e = harness_event("Packet", 0);
    CHECK(e != NULL);
    CHECK_EQ(field_u64(e, "FlowId"), 0);
    CHECK_EQ(field_u64(e, "ProcessId"), 0);
    CHECK_EQ(field_u64(e, "Direction"), 1);
    CHECK_EQ(field_u64(e, "Protocol"), 17);
    CHECK_EQ(field_u64(e, "Bytes"), 77);
    harness_unload();
    e = harness_event("DriverStopping", 0);
    CHECK_EQ(field_u64(e, "PacketsWithoutFlow"), 1);
}

void metadata_absent_gives_zero_pid_and_empty_path(void)
{
    const fake_trace_event *e;
    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4_meta(7, FWPS_METADATA_FIELD_FLOW_HANDLE, 999, L"ignored.exe");
    e = harness_event("FlowEstablished", 0);
    CHECK(e != NULL);
    CHECK_EQ(field_u64(e, "ProcessId"), 0);            /* PROCESS_ID flag absent: the value must not be read */
    CHECK_EQ(harness_field(e, "ProcessPath")->count, 0); /* PROCESS_PATH flag absent */
    harness_unload();
}

void metadata_without_flow_handle_writes_nothing(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    CHECK_EQ(harness_establish_v4_meta(7, FWPS_METADATA_FIELD_PROCESS_ID, 999, NULL), FWP_ACTION_CONTINUE);
    CHECK_EQ(fake_trace_count_named("FlowEstablished"), 0);
    CHECK_EQ(fake_associations_live(), 0);
    harness_unload();
}

void malformed_values_write_nothing(void)
{
    FWPS_INCOMING_VALUE0 values[FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_MAX];
    FWPS_INCOMING_VALUES0 in;
    FWPS_INCOMING_METADATA_VALUES0 meta;

    CHECK(NT_SUCCESS(harness_load()));
    memset(values, 0, sizeof(values)); /* every value FWP_EMPTY */
    memset(&meta, 0, sizeof(meta));
    meta.currentMetadataValues = FWPS_METADATA_FIELD_FLOW_HANDLE;
    meta.flowHandle = 9;
    in.layerId = FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4;
    in.valueCount = FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_MAX;
    in.incomingValue = values;
    CHECK_EQ(fake_classify(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, &in, &meta, NULL, 9), FWP_ACTION_CONTINUE);
    in.valueCount = 3; /* too few values for the fields we read */
    CHECK_EQ(fake_classify(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, &in, &meta, NULL, 9), FWP_ACTION_CONTINUE);
    CHECK_EQ(fake_trace_count_named("FlowEstablished"), 0);
    CHECK_EQ(fake_live_allocations(), 0);
    harness_unload();
}

void ipv6_flow_end_to_end(void)
{
    static const UINT8 local[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    static const UINT8 remote[16] = {0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11};
    const fake_trace_event *e;

    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v6(77, 31337, L"C:\\Zo\u00eb\\\u65e5\u672c.exe", local, 40000, remote, 443, 6, FWP_DIRECTION_INBOUND);
    harness_packets_v6(TRUE, 77, local, 40000, remote, 443, 6, 4, 250);
    harness_packets_v6(FALSE, 77, local, 40000, remote, 443, 6, 1, 1000);
    fake_end_flow(77);

    e = harness_event("FlowEstablished", 0);
    CHECK(e != NULL);
    CHECK(memcmp(harness_field(e, "LocalAddress")->bytes, local, 16) == 0);
    CHECK(memcmp(harness_field(e, "RemoteAddress")->bytes, remote, 16) == 0);
    CHECK_EQ(field_u64(e, "Direction"), 1);
    CHECK(harness_text_equals(harness_field(e, "ProcessPath"), L"C:\\Zo\u00eb\\\u65e5\u672c.exe"));
    e = harness_event("Packet", 0);
    CHECK(memcmp(harness_field(e, "RemoteAddress")->bytes, remote, 16) == 0);
    CHECK_EQ(field_u64(e, "ProcessId"), 31337);
    e = harness_event("FlowDeleted", 0);
    CHECK_EQ(field_u64(e, "PacketsIn"), 4);
    CHECK_EQ(field_u64(e, "BytesIn"), 1000);
    CHECK_EQ(field_u64(e, "PacketsOut"), 1);
    CHECK_EQ(field_u64(e, "BytesOut"), 1000);
    harness_unload();
}

void context_allocation_failure_is_counted(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    fake_fail_allocations(1);
    harness_establish_v4(5, 1, L"a.exe", LOCAL4, 1, REMOTE4, 2, 6, 0);
    CHECK_EQ(fake_trace_count_named("FlowEstablished"), 1); /* the flow is still reported */
    CHECK_EQ(fake_associations_live(), 0);
    harness_packets_v4(TRUE, 5, LOCAL4, 1, REMOTE4, 2, 6, 1, 10, 0);
    CHECK_EQ(field_u64(harness_event("Packet", 0), "FlowId"), 0); /* no context: counted as without flow */
    harness_unload();
    CHECK_EQ(field_u64(harness_event("DriverStopping", 0), "ContextAllocFailures"), 1);
}

void association_failure_keeps_other_layer(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    fake_fail_call("FwpsFlowAssociateContext0", 2); /* the outbound association fails */
    harness_establish_v4(6, 1, L"a.exe", LOCAL4, 1, REMOTE4, 2, 6, 0);
    CHECK_EQ(fake_associations_live(), 1);
    harness_packets_v4(TRUE, 6, LOCAL4, 1, REMOTE4, 2, 6, 2, 10, 0);
    fake_end_flow(6);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 1);
    CHECK_EQ(field_u64(harness_event("FlowDeleted", 0), "PacketsIn"), 2);
    CHECK_EQ(fake_live_allocations(), 0);

    fake_fail_call("FwpsFlowAssociateContext0", 3);
    fake_fail_call("FwpsFlowAssociateContext0", 4); /* both fail: no FlowDeleted (WFP never ends what it never held) */
    harness_establish_v4(8, 1, L"a.exe", LOCAL4, 1, REMOTE4, 2, 6, 0);
    CHECK_EQ(fake_live_allocations(), 0);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 1);
    harness_packets_v4(TRUE, 8, LOCAL4, 1, REMOTE4, 2, 6, 1, 10, 0);
    harness_unload();
    /* ... but never silently: each failure and each context-less classify is counted */
    CHECK_EQ(field_u64(harness_event("DriverStopping", 0), "AssociationFailures"), 3);
    CHECK_EQ(field_u64(harness_event("DriverStopping", 0), "ClassifiesWithoutContext"), 1);
}

void outbound_payload_excludes_transport_header(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    harness_packets_v4(FALSE, 0, LOCAL4, 1, REMOTE4, 2, 6, 1, 500, 20);
    CHECK_EQ(field_u64(harness_event("Packet", 0), "Bytes"), 500);
    CHECK_EQ(field_u64(harness_event("Packet", 0), "Direction"), 0);
    harness_unload();
}

void inspection_never_blocks(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    CHECK_EQ(fake_filters_with_action(FWP_ACTION_CALLOUT_INSPECTION), 6);
    CHECK_EQ(fake_filters_live(), 6);
    CHECK_EQ(harness_establish_v4(1, 1, L"a.exe", LOCAL4, 1, REMOTE4, 2, 6, 0), FWP_ACTION_CONTINUE);
    CHECK_EQ(harness_packets_v4(TRUE, 1, LOCAL4, 1, REMOTE4, 2, 6, 1, 1, 0), FWP_ACTION_CONTINUE);
    fake_trace_enable(0, 0);
    CHECK_EQ(harness_packets_v4(TRUE, 0, LOCAL4, 1, REMOTE4, 2, 6, 1, 1, 0), FWP_ACTION_CONTINUE);
    harness_unload();
}

/* A flow established while nobody listened (an RDP session older than the collector) is counted once a listener
   enables the provider: its records carry the bytes moved since then, with its identity. */
void flow_established_before_listener_is_counted_from_enable(void)
{
    const UINT64 flow = 77;
    const fake_trace_event *stats, *deleted;

    CHECK(NT_SUCCESS(harness_load()));
    fake_trace_enable(0, 0);
    harness_establish_v4(flow, 900, L"\\device\\harddiskvolume3\\mstsc.exe", LOCAL4, 50000, REMOTE4, 3389, 6,
                         FWP_DIRECTION_OUTBOUND);
    harness_packets_v4(TRUE, flow, LOCAL4, 50000, REMOTE4, 3389, 6, 10, 1000, 0); /* before anyone listened */
    fake_advance_time_ms(120000);

    fake_trace_enable(4, 0x6); /* the collector's default: flow and health */
    harness_packets_v4(TRUE, flow, LOCAL4, 50000, REMOTE4, 3389, 6, 3, 200, 0);
    harness_packets_v4(FALSE, flow, LOCAL4, 50000, REMOTE4, 3389, 6, 2, 50, 20);
    fake_advance_time_ms(60000);
    harness_packets_v4(TRUE, flow, LOCAL4, 50000, REMOTE4, 3389, 6, 1, 10, 0);
    fake_end_flow(flow);

    CHECK_EQ(fake_trace_count_named("FlowEstablished"), 0); /* it was established before: no such event */
    stats = harness_event("FlowStats", 0); /* the first packet after enabling, in a later interval: nothing yet */
    CHECK(stats != NULL);
    CHECK_EQ(field_u64(stats, "BytesIn"), 0);
    CHECK_EQ(field_u64(stats, "FlowId"), flow);
    CHECK_EQ(field_u64(stats, "ProcessId"), 900);
    stats = harness_event("FlowStats", 1); /* the next interval: what moved since enabling */
    CHECK(stats != NULL);
    CHECK_EQ(field_u64(stats, "PacketsIn"), 3);
    CHECK_EQ(field_u64(stats, "BytesIn"), 600);
    CHECK_EQ(field_u64(stats, "BytesOut"), 100);
    deleted = harness_event("FlowDeleted", 0);
    CHECK(deleted != NULL);
    CHECK_EQ(field_u64(deleted, "PacketsIn"), 4);
    CHECK_EQ(field_u64(deleted, "BytesIn"), 610);
    CHECK_EQ(field_u64(deleted, "PacketsOut"), 2);
    CHECK_EQ(field_u64(deleted, "RemotePort"), 3389);
    harness_unload();
}

/* Packets a higher-priority filter already blocked never moved: they are not traffic. */
void blocked_packets_are_not_counted(void)
{
    const UINT64 flow = 88;
    const fake_trace_event *deleted;

    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4(flow, 5, L"a.exe", LOCAL4, 50001, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    harness_packets_v4(TRUE, flow, LOCAL4, 50001, REMOTE4, 443, 6, 2, 100, 0);
    fake_set_earlier_filter_blocks(1);
    CHECK_EQ(harness_packets_v4(TRUE, flow, LOCAL4, 50001, REMOTE4, 443, 6, 5, 1000, 0), FWP_ACTION_BLOCK);
    harness_packets_v4(FALSE, flow, LOCAL4, 50001, REMOTE4, 443, 6, 5, 1000, 20);
    fake_set_earlier_filter_blocks(0);
    fake_end_flow(flow);
    deleted = harness_event("FlowDeleted", 0);
    CHECK(deleted != NULL);
    CHECK_EQ(field_u64(deleted, "PacketsIn"), 2);
    CHECK_EQ(field_u64(deleted, "BytesIn"), 200);
    CHECK_EQ(field_u64(deleted, "PacketsOut"), 0);

    /* A flow whose establishment was blocked gets no context and no event. */
    fake_set_earlier_filter_blocks(1);
    harness_establish_v4(89, 5, L"a.exe", LOCAL4, 50002, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    fake_set_earlier_filter_blocks(0);
    CHECK_EQ(fake_trace_count_named("FlowEstablished"), 1);
    CHECK_EQ(fake_live_allocations(), 0);
    harness_unload();
}
