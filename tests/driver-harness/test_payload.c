/* Exact bytes: WFP's data-offset rules for TCP, UDP, ICMP and ICMPv6, inbound and outbound, and what happens when the
   transport header size is missing or a packet precedes its flow. */
#include "harness.h"
#include "scenarios.h"
#include "mn_payload.h"

static UINT64 stopping(const char *field)
{
    const fake_trace_field *f = harness_field(harness_event("DriverStopping", 0), field);
    return f != NULL ? f->value : ~0ULL;
}

void payload_bytes_follow_data_offset_rules(void)
{
    static const struct {
        UINT8 direction, protocol;
        ULONG length;
        BOOLEAN header_known;
        UINT32 header, expected;
        BOOLEAN known;
    } k_cases[] = {
        /* inbound TCP/UDP: the buffer starts at the data, whatever the metadata says */
        {FWP_DIRECTION_INBOUND, 6, 1000, TRUE, 20, 1000, TRUE},
        {FWP_DIRECTION_INBOUND, 6, 1000, FALSE, 0, 1000, TRUE},
        {FWP_DIRECTION_INBOUND, 17, 512, TRUE, 8, 512, TRUE},
        {FWP_DIRECTION_INBOUND, 17, 0, FALSE, 0, 0, TRUE},
        /* inbound ICMP/ICMPv6: the buffer starts at the ICMP header */
        {FWP_DIRECTION_INBOUND, 1, 64, TRUE, 8, 56, TRUE},
        {FWP_DIRECTION_INBOUND, 58, 64, TRUE, 8, 56, TRUE},
        {FWP_DIRECTION_INBOUND, 1, 64, FALSE, 0, 0, FALSE},
        {FWP_DIRECTION_INBOUND, 58, 64, FALSE, 0, 0, FALSE},
        /* outbound, every protocol: the buffer starts at the transport header */
        {FWP_DIRECTION_OUTBOUND, 6, 1460 + 32, TRUE, 32, 1460, TRUE},
        {FWP_DIRECTION_OUTBOUND, 17, 100 + 8, TRUE, 8, 100, TRUE},
        {FWP_DIRECTION_OUTBOUND, 1, 64, TRUE, 8, 56, TRUE},
        {FWP_DIRECTION_OUTBOUND, 58, 64, TRUE, 8, 56, TRUE},
        {FWP_DIRECTION_OUTBOUND, 6, 52, FALSE, 0, 0, FALSE},
        {FWP_DIRECTION_OUTBOUND, 17, 28, FALSE, 0, 0, FALSE},
        /* a header size larger than the buffer never underflows */
        {FWP_DIRECTION_OUTBOUND, 6, 10, TRUE, 20, 0, TRUE},
    };
    size_t i;
    for (i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
        UINT32 payload = 12345;
        BOOLEAN known = mn_payload_bytes(k_cases[i].direction, k_cases[i].protocol, k_cases[i].length,
                                         k_cases[i].header_known, k_cases[i].header, &payload);
        if (known != k_cases[i].known || payload != k_cases[i].expected) {
            fprintf(stderr, "case %zu: known %d payload %u, expected %d %u\n", i, known, payload, k_cases[i].known,
                    k_cases[i].expected);
            g_failures++;
        }
    }
}

void flow_bytes_exact_for_every_protocol_and_direction(void)
{
    static const struct { UINT8 protocol; BOOLEAN v6; UINT32 header; } k_protocols[] = {
        {6, FALSE, 20}, {17, FALSE, 8}, {1, FALSE, 8}, {6, TRUE, 32}, {17, TRUE, 8}, {58, TRUE, 8},
    };
    static const UINT8 a6[16] = {[15] = 1};
    size_t i;

    CHECK(NT_SUCCESS(harness_load()));
    for (i = 0; i < sizeof(k_protocols) / sizeof(k_protocols[0]); i++) {
        UINT64 flow = 100 + i;
        BOOLEAN icmp = (BOOLEAN)(k_protocols[i].protocol == 1 || k_protocols[i].protocol == 58);
        const fake_trace_event *deleted;
        if (k_protocols[i].v6) harness_establish_v6(flow, 4, L"p.exe", a6, 1, a6, 2, k_protocols[i].protocol, 0);
        else harness_establish_v4(flow, 4, L"p.exe", 0x7F000001, 1, 0x7F000002, 2, k_protocols[i].protocol, 0);
        /* inbound: 3 packets of 300 payload bytes; ICMP's buffers start at its header */
        harness_packets_raw(TRUE, k_protocols[i].v6, flow, k_protocols[i].protocol, 3,
                            300 + (icmp ? k_protocols[i].header : 0), TRUE, k_protocols[i].header);
        /* outbound: 2 packets of 700 payload bytes, starting at the transport header */
        harness_packets_raw(FALSE, k_protocols[i].v6, flow, k_protocols[i].protocol, 2, 700 + k_protocols[i].header,
                            TRUE, k_protocols[i].header);
        fake_end_flow(flow);
        deleted = harness_event("FlowDeleted", (int)i);
        CHECK(deleted != NULL);
        if (deleted == NULL) continue;
        CHECK_EQ(harness_field(deleted, "PacketsIn")->value, 3);
        CHECK_EQ(harness_field(deleted, "BytesIn")->value, 900);
        CHECK_EQ(harness_field(deleted, "PacketsOut")->value, 2);
        CHECK_EQ(harness_field(deleted, "BytesOut")->value, 1400);
    }
    harness_unload();
    CHECK_EQ(stopping("PacketsUnknownHeader"), 0);
}

void missing_header_size_is_counted_never_payload(void)
{
    const fake_trace_event *deleted;
    CHECK(NT_SUCCESS(harness_load()));
    harness_establish_v4(7, 4, L"p.exe", 0x7F000001, 1, 0x7F000002, 2, 6, 0);
    harness_packets_raw(FALSE, FALSE, 7, 6, 2, 1020, FALSE, 0); /* outbound TCP, header size not given */
    harness_packets_raw(TRUE, FALSE, 7, 1, 1, 64, FALSE, 0);    /* inbound ICMP, likewise */
    harness_packets_raw(TRUE, FALSE, 7, 6, 1, 500, FALSE, 0);   /* inbound TCP needs none */
    CHECK_EQ(harness_field(harness_event("Packet", 0), "Bytes")->value, 0);
    fake_end_flow(7);
    deleted = harness_event("FlowDeleted", 0);
    CHECK_EQ(harness_field(deleted, "PacketsOut")->value, 2);
    CHECK_EQ(harness_field(deleted, "BytesOut")->value, 0);
    CHECK_EQ(harness_field(deleted, "PacketsIn")->value, 2);
    CHECK_EQ(harness_field(deleted, "BytesIn")->value, 500);
    harness_unload();
    CHECK_EQ(stopping("PacketsUnknownHeader"), 3);
}

void handshake_packets_before_flow_are_counted_without_flow(void)
{
    CHECK(NT_SUCCESS(harness_load()));
    /* SYN out, SYN-ACK in, ACK out: the transport layers see them before ALE_FLOW_ESTABLISHED, with no context */
    harness_packets_raw(FALSE, FALSE, 9, 6, 1, 40, TRUE, 40);
    harness_packets_raw(TRUE, FALSE, 9, 6, 1, 0, TRUE, 40);
    harness_packets_raw(FALSE, FALSE, 9, 6, 1, 20, TRUE, 20);
    CHECK_EQ(fake_trace_count_named("Packet"), 3);
    CHECK_EQ(harness_field(harness_event("Packet", 0), "FlowId")->value, 0); /* the tuple is there for attribution */
    harness_establish_v4(9, 4, L"p.exe", 0x7F000001, 0, 0x7F000002, 0, 6, 0);
    harness_packets_raw(TRUE, FALSE, 9, 6, 1, 100, TRUE, 20);
    CHECK_EQ(harness_field(harness_event("Packet", 3), "FlowId")->value, 9);
    fake_end_flow(9);
    CHECK_EQ(harness_field(harness_event("FlowDeleted", 0), "PacketsIn")->value, 1);
    harness_unload();
    CHECK_EQ(stopping("PacketsWithoutFlow"), 3);
    CHECK_EQ(stopping("ClassifiesWithoutContext"), 3);
}
