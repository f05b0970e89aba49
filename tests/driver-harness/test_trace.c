/* TraceLogging: cost when nobody listens, and every write checked against schema/events.json. */
#include <string.h>
#include "harness.h"
#include "scenarios.h"
#include "contract_events.h"

static const char *contract_type_of(mn_tl_kind kind)
{
    switch (kind) {
    case MN_TL_UINT8: return "UInt8";
    case MN_TL_UINT16: return "UInt16";
    case MN_TL_UINT32: return "UInt32";
    case MN_TL_UINT64: return "UInt64";
    case MN_TL_IPV6_ADDRESS: return "IPv6Address";
    case MN_TL_COUNTED_WIDE_STRING: return "CountedWideString";
    default: return "?";
    }
}

static void full_traffic(void)
{
    static const UINT8 a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    harness_establish_v4(1, 7, L"x.exe", 0x01020304, 1000, 0x05060708, 2000, 17, 1);
    harness_packets_v4(TRUE, 1, 0x01020304, 1000, 0x05060708, 2000, 17, 2, 64, 0);
    harness_packets_v4(FALSE, 1, 0x01020304, 1000, 0x05060708, 2000, 17, 1, 64, 8);
    harness_establish_v6(2, 8, L"y.exe", a6, 3000, a6, 4000, 6, 0);
    harness_packets_v6(FALSE, 2, a6, 3000, a6, 4000, 6, 1, 99);
    harness_packets_v4(TRUE, 0, 0x01020304, 53, 0x05060708, 53, 17, 1, 40, 0);
    fake_end_flow(1);
}

void provider_disabled_builds_no_event(void)
{
    int written_before;
    CHECK(NT_SUCCESS(harness_load()));
    fake_trace_enable(0, 0); /* no session enabled the provider */
    written_before = fake_trace_count(); /* DriverStarted, while the harness's default session listened */
    full_traffic();
    CHECK_EQ(fake_trace_writes_not_enabled(), 0); /* nothing was even built */
    /* The open flow keeps its context (for a listener that comes later), and one lookaside allocation is all. */
    CHECK_EQ(fake_associations_live(), 2);
    CHECK_EQ(fake_live_allocations(), 1);
    harness_unload();
    CHECK_EQ(fake_trace_writes_not_enabled(), 0);
    CHECK_EQ(fake_trace_count(), written_before);
}

void packet_keyword_off_still_counts_flows(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    fake_trace_enable(4, 0x2); /* flows only, as the collector's --keywords flow does */
    full_traffic();
    CHECK_EQ(fake_trace_count_named("Packet"), 0);
    CHECK_EQ(fake_trace_writes_not_enabled(), 0);
    CHECK_EQ(fake_trace_count_named("FlowEstablished"), 2);
    CHECK_EQ(harness_field(harness_event("FlowDeleted", 0), "PacketsIn")->value, 2);
    CHECK_EQ(harness_field(harness_event("FlowDeleted", 0), "BytesOut")->value, 64);
    harness_unload();
}

void harness_check_events_against_contract(void)
{
    size_t c;
    int i, j;

    for (i = 0; i < fake_trace_count(); i++) {
        const fake_trace_event *e = fake_trace_at(i);
        const contract_event *expected = NULL;
        char guid[40];
        for (c = 0; c < sizeof(k_contract_events) / sizeof(k_contract_events[0]); c++) {
            if (strcmp(k_contract_events[c].name, e->name) == 0) expected = &k_contract_events[c];
        }
        if (expected == NULL) {
            fprintf(stderr, "event %s is not in schema/events.json\n", e->name);
            g_failures++;
            continue;
        }
        CHECK(strcmp(e->provider, CONTRACT_PROVIDER_NAME) == 0);
        snprintf(guid, sizeof(guid), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", e->provider_guid.Data1,
                 e->provider_guid.Data2, e->provider_guid.Data3, e->provider_guid.Data4[0], e->provider_guid.Data4[1],
                 e->provider_guid.Data4[2], e->provider_guid.Data4[3], e->provider_guid.Data4[4],
                 e->provider_guid.Data4[5], e->provider_guid.Data4[6], e->provider_guid.Data4[7]);
        CHECK(strcmp(guid, CONTRACT_PROVIDER_GUID) == 0);
        CHECK_EQ(e->level, expected->level);
        CHECK_EQ(e->keyword, expected->keyword);
        CHECK_EQ(e->field_count, expected->field_count);
        for (j = 0; j < e->field_count && j < expected->field_count; j++) {
            if (strcmp(e->fields[j].name, expected->fields[j].name) != 0 ||
                strcmp(contract_type_of(e->fields[j].kind), expected->fields[j].type) != 0) {
                fprintf(stderr, "%s field %d: driver writes %s:%s, contract says %s:%s\n", e->name, j, e->fields[j].name,
                        contract_type_of(e->fields[j].kind), expected->fields[j].name, expected->fields[j].type);
                g_failures++;
            }
        }
    }
}

void events_match_contract(void)
{
    size_t c;

    CHECK(NT_SUCCESS(harness_load()));
    full_traffic();
    fake_fire_timers(); /* DriverHealth */
    fake_set_remove_context_pending(1);
    fake_set_pending_delay_ms(1500); /* flow 2 leaves late: unload reports that it still waits (UnloadTimeout) */
    harness_unload(); /* DriverStopping */
    harness_check_events_against_contract();
    /* and every contract event is one the driver can write */
    for (c = 0; c < sizeof(k_contract_events) / sizeof(k_contract_events[0]); c++) {
        if (fake_trace_count_named(k_contract_events[c].name) == 0) {
            fprintf(stderr, "contract event %s was never written\n", k_contract_events[c].name);
            g_failures++;
        }
    }
}

void health_events_report_counters(void)
{
    const fake_trace_event *e;
    CHECK(NT_SUCCESS(harness_load()));
    e = harness_event("DriverStarted", 0);
    CHECK(e != NULL);
    CHECK_EQ(harness_field(e, "CalloutsRegistered")->value, 6);
    CHECK_EQ(harness_field(e, "DriverVersion")->value, 0x00010000);
    full_traffic();
    harness_unload();
    e = harness_event("DriverStopping", 0);
    CHECK(e != NULL);
    CHECK_EQ(harness_field(e, "FlowsTracked")->value, 2);
    CHECK_EQ(harness_field(e, "FlowsActive")->value, 0);
    CHECK_EQ(harness_field(e, "ContextAllocFailures")->value, 0);
    CHECK_EQ(harness_field(e, "PacketsWithoutFlow")->value, 1);
    CHECK_EQ(harness_field(e, "ClassifiesWithoutContext")->value, 1);
    CHECK_EQ(harness_field(e, "AssociationFailures")->value, 0);
    CHECK_EQ(harness_field(e, "FlowsDeletedWithoutContext")->value, 0);
    CHECK_EQ(harness_field(e, "PacketsUnknownHeader")->value, 0);
}

void driver_health_event_every_interval_until_unload(void)
{
    const fake_trace_event *e;
    CHECK(NT_SUCCESS(harness_load()));
    CHECK_EQ(fake_timers_set(), 2); /* DriverHealth and the FlowStats sweep */
    harness_establish_v4(1, 7, L"x.exe", 0x01020304, 1000, 0x05060708, 2000, 6, 0);
    fake_fire_timers(); /* the first interval expires */
    e = harness_event("DriverHealth", 0);
    CHECK(e != NULL);
    CHECK_EQ(harness_field(e, "FlowsTracked")->value, 1);
    CHECK_EQ(harness_field(e, "FlowsActive")->value, 1);
    fake_fire_timers();
    CHECK_EQ(fake_trace_count_named("DriverHealth"), 2);
    fake_trace_enable(5, 0x3); /* a session without the Health keyword: the DPC writes nothing */
    fake_fire_timers();
    CHECK_EQ(fake_trace_count_named("DriverHealth"), 2);
    CHECK_EQ(fake_trace_writes_not_enabled(), 0);
    harness_unload();
    CHECK_EQ(fake_timers_set(), 0); /* cancelled, and queued DPCs flushed, before anything is torn down */
    CHECK(fake_call_index("KeFlushQueuedDpcs", 1) >= 0 && fake_call_index("KeFlushQueuedDpcs", 1) < fake_call_index("FwpmFilterDeleteById0", 1));
}

void device_has_no_name(void)
{
    /* fake IoCreateDevice reports a named device as a violation; main() fails the scenario on any violation */
    CHECK(NT_SUCCESS(harness_load()));
    CHECK_EQ(fake_devices_live(), 1);
    harness_unload();
    CHECK_EQ(fake_devices_live(), 0);
}
