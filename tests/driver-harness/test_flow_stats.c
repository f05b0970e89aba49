/*
 * FlowStats: one record per active interval for a flow that moved, never for one that did not, cumulative
 * counters, the identity of FlowEstablished, and the last record before FlowDeleted (mn_flow_stats.h).
 * The fake clock starts at 12:00:30 UTC, half-way through a 60 s interval.
 */
#include <string.h>
#include "harness.h"
#include "scenarios.h"
#include "mn_flow_stats.h"

#define LOCAL4 0xC0A8010Au  /* 192.168.1.10 */
#define REMOTE4 0x5DB8D822u /* 93.184.216.34 */
#define INTERVAL_100NS ((LONG64)MN_FLOW_STATS_INTERVAL_SECONDS * 10000000LL)

static UINT64 field(const fake_trace_event *e, const char *name)
{
    const fake_trace_field *f = harness_field(e, name);
    CHECK(f != NULL);
    return f != NULL ? f->value : 0xDEADBEEF;
}

static void send_in(UINT64 flow, int count, UINT32 bytes)
{
    harness_packets_v4(TRUE, flow, LOCAL4, 50000, REMOTE4, 443, 6, count, bytes, 0);
}

/* FlowStats and FlowDeleted repeat FlowEstablished's identity field for field. */
static void check_identity(const fake_trace_event *e, const fake_trace_event *established)
{
    static const char *const k_identity[] = {"FlowId", "ProcessId", "Direction", "Protocol", "LocalPort", "RemotePort"};
    size_t i;
    CHECK(e != NULL && established != NULL);
    if (e == NULL || established == NULL) return;
    for (i = 0; i < sizeof(k_identity) / sizeof(k_identity[0]); i++) CHECK_EQ(field(e, k_identity[i]), field(established, k_identity[i]));
    CHECK(memcmp(harness_field(e, "LocalAddress")->bytes, harness_field(established, "LocalAddress")->bytes, 16) == 0);
    CHECK(memcmp(harness_field(e, "RemoteAddress")->bytes, harness_field(established, "RemoteAddress")->bytes, 16) == 0);
}

void flow_stats_long_flow_one_record_per_interval(void)
{
    const fake_trace_event *e;
    int second;
    int packets_before_interval[8] = {0};
    int packets = 0;
    int i;

    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4(0x8000000000000010ULL, 4242, L"C:\\dl.exe", LOCAL4, 50000, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    /* 5 minutes of one 1000-byte packet every 5 s: from 12:00:30 to 12:05:25. */
    for (second = 0; second < 300; second += 5) {
        int interval = (int)((fake_system_time() / INTERVAL_100NS) - (134401680300000000LL / INTERVAL_100NS));
        if (packets_before_interval[interval] == 0) packets_before_interval[interval] = packets;
        send_in(0x8000000000000010ULL, 1, 1000);
        packets++;
        fake_advance_time_ms(5000);
    }
    /* Intervals 12:01 ... 12:05 each began with a packet, which found the new interval and wrote one record. */
    CHECK_EQ(fake_trace_count_named("FlowStats"), 5);
    for (i = 0; i < 5; i++) {
        e = harness_event("FlowStats", i);
        CHECK(e != NULL);
        if (e == NULL) break;
        /* cumulative, and only the packets before the interval began: the one that noticed it is not in it */
        CHECK_EQ(field(e, "PacketsIn"), packets_before_interval[i + 1]);
        CHECK_EQ(field(e, "BytesIn"), 1000ULL * packets_before_interval[i + 1]);
        CHECK_EQ(field(e, "PacketsOut"), 0);
        CHECK_EQ(e->time_100ns / INTERVAL_100NS, 134401680300000000LL / INTERVAL_100NS + i + 1);
        check_identity(e, harness_event("FlowEstablished", 0));
    }
    fake_fire_timers(); /* the sweep: the flow reported this interval already */
    CHECK_EQ(fake_trace_count_named("FlowStats"), 5);
    fake_end_flow(0x8000000000000010ULL);
    /* the counters moved since the last record: one more, then FlowDeleted with the same totals */
    CHECK_EQ(fake_trace_count_named("FlowStats"), 6);
    e = harness_event("FlowStats", 5);
    CHECK_EQ(field(e, "PacketsIn"), packets);
    e = harness_event("FlowDeleted", 0);
    CHECK_EQ(field(e, "PacketsIn"), packets);
    CHECK_EQ(field(e, "BytesIn"), 1000ULL * packets);
    check_identity(e, harness_event("FlowEstablished", 0));
    harness_unload();
}

void flow_stats_idle_flow_gets_no_repeats(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4(21, 7, L"idle.exe", LOCAL4, 50000, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    harness_establish_v4(22, 8, L"silent.exe", LOCAL4, 50001, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    send_in(21, 3, 100);
    fake_fire_timers(); /* same interval: nothing is due */
    CHECK_EQ(fake_trace_count_named("FlowStats"), 0);
    fake_advance_time_ms(60000);
    fake_fire_timers(); /* the sweep finds flow 21 moved in an earlier interval; flow 22 never moved */
    CHECK_EQ(fake_trace_count_named("FlowStats"), 1);
    CHECK_EQ(field(harness_event("FlowStats", 0), "FlowId"), 21);
    CHECK_EQ(field(harness_event("FlowStats", 0), "PacketsIn"), 3);
    CHECK_EQ(field(harness_event("FlowStats", 0), "BytesIn"), 300);
    for (int i = 0; i < 10; i++) {
        fake_advance_time_ms(60000);
        fake_fire_timers();
    }
    CHECK_EQ(fake_trace_count_named("FlowStats"), 1); /* quiet: never repeated */
    /* A packet after the quiet: first a record with the same counters, which marks that what follows belongs to
       this interval (the last record's interval is long gone), then the packet is counted. */
    send_in(21, 1, 100);
    CHECK_EQ(fake_trace_count_named("FlowStats"), 2);
    CHECK_EQ(field(harness_event("FlowStats", 1), "PacketsIn"), 3);
    CHECK_EQ(harness_event("FlowStats", 1)->time_100ns, fake_system_time());
    send_in(21, 1, 100); /* the same interval: nothing more */
    CHECK_EQ(fake_trace_count_named("FlowStats"), 2);
    fake_end_flow(21);
    fake_end_flow(22);
    CHECK_EQ(fake_trace_count_named("FlowStats"), 3);
    CHECK_EQ(field(harness_event("FlowStats", 2), "PacketsIn"), 5);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 2); /* flow 22's end: totals of zero, no FlowStats */
    CHECK_EQ(field(harness_event("FlowDeleted", 1), "FlowId"), 22);
    CHECK_EQ(field(harness_event("FlowDeleted", 1), "PacketsIn"), 0);
    harness_unload();
}

void flow_stats_unload_mid_interval(void)
{
    const fake_trace_event *e;
    int i;

    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4(31, 9, L"a.exe", LOCAL4, 50000, REMOTE4, 443, 17, FWP_DIRECTION_OUTBOUND);
    harness_packets_v4(FALSE, 31, LOCAL4, 50000, REMOTE4, 443, 17, 4, 200, 8);
    fake_advance_time_ms(10000); /* 12:00:40: still the first interval */
    harness_unload();
    CHECK_EQ(fake_trace_count_named("FlowStats"), 1);
    e = harness_event("FlowStats", 0);
    CHECK_EQ(field(e, "PacketsOut"), 4);
    CHECK_EQ(field(e, "BytesOut"), 800);
    check_identity(e, harness_event("FlowEstablished", 0));
    CHECK_EQ(field(harness_event("FlowDeleted", 0), "BytesOut"), 800);
    /* FlowStats comes right before its FlowDeleted, and both before DriverStopping */
    for (i = 0; i < fake_trace_count(); i++) {
        if (strcmp(fake_trace_at(i)->name, "FlowStats") == 0) {
            CHECK(i + 1 < fake_trace_count() && strcmp(fake_trace_at(i + 1)->name, "FlowDeleted") == 0);
        }
    }
    CHECK(fake_call_index("KeCancelTimer", 2) >= 0 && fake_call_index("KeCancelTimer", 2) < fake_call_index("FwpmFilterDeleteById0", 1));
    CHECK_EQ(fake_timers_set(), 0);
    CHECK_EQ(fake_live_allocations(), 0);
}

void flow_stats_provider_off_writes_nothing(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    fake_trace_enable(5, 0x1); /* packets only: contexts exist (Packet events need them), FlowStats is not wanted */
    harness_establish_v4(41, 7, L"a.exe", LOCAL4, 50000, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    send_in(41, 2, 10);
    fake_advance_time_ms(60000);
    send_in(41, 2, 10);
    fake_fire_timers();
    fake_advance_time_ms(60000);
    fake_fire_timers();
    fake_end_flow(41);
    CHECK_EQ(fake_trace_count_named("Packet"), 4);
    CHECK_EQ(fake_trace_count_named("FlowStats"), 0);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 0);
    CHECK_EQ(fake_trace_writes_not_enabled(), 0); /* not even built */
    fake_trace_enable(0, 0); /* nobody at all */
    harness_establish_v4(42, 7, L"a.exe", LOCAL4, 50001, REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
    send_in(42, 2, 10);
    fake_advance_time_ms(60000);
    fake_fire_timers();
    harness_unload();
    CHECK_EQ(fake_trace_count_named("FlowStats"), 0);
    CHECK_EQ(fake_trace_writes_not_enabled(), 0);
}

void flow_stats_sweep_covers_more_flows_than_a_batch(void)
{
    int flow;
    CHECK(NT_SUCCESS(harness_load()));
    for (flow = 1; flow <= 100; flow++) {
        harness_establish_v4((UINT64)flow, 7, L"a.exe", LOCAL4, (UINT16)(40000 + flow), REMOTE4, 443, 6, FWP_DIRECTION_OUTBOUND);
        if (flow % 3 != 0) send_in((UINT64)flow, 1, (UINT32)flow); /* two in three move */
    }
    fake_end_flow(50); /* WFP ends some while the sweep holds others: each ends exactly once */
    fake_advance_time_ms(60000);
    fake_fire_timers();
    CHECK_EQ(fake_trace_count_named("FlowStats"), 67);
    fake_advance_time_ms(60000);
    fake_fire_timers();
    CHECK_EQ(fake_trace_count_named("FlowStats"), 67);
    for (flow = 1; flow <= 100; flow++) fake_end_flow((UINT64)flow);
    CHECK_EQ(fake_trace_count_named("FlowDeleted"), 100);
    CHECK_EQ(fake_trace_count_named("FlowStats"), 67);
    CHECK_EQ(fake_live_allocations(), 0);
    harness_unload();
}
