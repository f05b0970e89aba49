/*
 * Builds what the WFP engine hands to classify (incoming values, metadata, NET_BUFFER_LISTs) for each layer,
 * using the stand-in's field enums directly rather than the driver's own table, so a wrong index in the driver
 * shows up as a wrong or missing event.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

extern DRIVER_INITIALIZE DriverEntry;
static DRIVER_OBJECT g_driver;

NTSTATUS harness_load(void)
{
    memset(&g_driver, 0, sizeof(g_driver));
    return DriverEntry(&g_driver, NULL);
}

void harness_unload(void)
{
    if (g_driver.DriverUnload == NULL) return;
    g_driver.DriverUnload(&g_driver);
    fake_driver_image_unmapped();
}

void harness_check_nothing_left(void)
{
    CHECK_EQ(fake_live_allocations(), 0);
    CHECK_EQ(fake_associations_live(), 0);
    CHECK_EQ(fake_callouts_registered(), 0);
    CHECK_EQ(fake_filters_live(), 0);
    CHECK_EQ(fake_engine_open(), 0);
    CHECK_EQ(fake_lookaside_lists_live(), 0);
    CHECK_EQ(fake_devices_live(), 0);
    CHECK_EQ(fake_trace_registered(), 0);
}

void harness_v4_mapped(UINT32 host_order, UINT8 out[16])
{
    memset(out, 0, 16);
    out[10] = out[11] = 0xFF;
    out[12] = (UINT8)(host_order >> 24);
    out[13] = (UINT8)(host_order >> 16);
    out[14] = (UINT8)(host_order >> 8);
    out[15] = (UINT8)host_order;
}

typedef struct layer_indexes { UINT16 protocol, local, lport, remote, rport, direction, count; } layer_indexes;

static layer_indexes indexes_for(UINT16 layer)
{
    switch (layer) {
    case FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4:
        return (layer_indexes){FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_PROTOCOL, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS,
                               FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS,
                               FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_DIRECTION,
                               FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_MAX};
    case FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6:
        return (layer_indexes){FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_PROTOCOL, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS,
                               FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_PORT, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_ADDRESS,
                               FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_PORT, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_DIRECTION,
                               FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_MAX};
    case FWPS_LAYER_INBOUND_TRANSPORT_V4:
        return (layer_indexes){FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS,
                               FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS,
                               FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_PORT, 0xFFFF, FWPS_FIELD_INBOUND_TRANSPORT_V4_MAX};
    case FWPS_LAYER_INBOUND_TRANSPORT_V6:
        return (layer_indexes){FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_PROTOCOL, FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS,
                               FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_PORT, FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS,
                               FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_PORT, 0xFFFF, FWPS_FIELD_INBOUND_TRANSPORT_V6_MAX};
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V4:
        return (layer_indexes){FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_PROTOCOL, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS,
                               FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_PORT, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS,
                               FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_PORT, 0xFFFF, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_MAX};
    default:
        return (layer_indexes){FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_PROTOCOL, FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS,
                               FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_PORT, FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS,
                               FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_REMOTE_PORT, 0xFFFF, FWPS_FIELD_OUTBOUND_TRANSPORT_V6_MAX};
    }
}

typedef struct built_values {
    FWPS_INCOMING_VALUE0 value[32];
    FWP_BYTE_ARRAY16 local6, remote6;
    FWPS_INCOMING_VALUES0 values;
} built_values;

static void build(built_values *b, UINT16 layer, BOOLEAN v6, UINT32 local4, const UINT8 *local6, UINT16 lport,
                  UINT32 remote4, const UINT8 *remote6, UINT16 rport, UINT8 protocol, UINT32 direction)
{
    layer_indexes ix = indexes_for(layer);
    memset(b, 0, sizeof(*b));
    b->value[ix.protocol].value.type = FWP_UINT8;
    b->value[ix.protocol].value.uint8 = protocol;
    b->value[ix.lport].value.type = FWP_UINT16;
    b->value[ix.lport].value.uint16 = lport;
    b->value[ix.rport].value.type = FWP_UINT16;
    b->value[ix.rport].value.uint16 = rport;
    if (v6) {
        memcpy(b->local6.byteArray16, local6, 16);
        memcpy(b->remote6.byteArray16, remote6, 16);
        b->value[ix.local].value.type = FWP_BYTE_ARRAY16_TYPE;
        b->value[ix.local].value.byteArray16 = &b->local6;
        b->value[ix.remote].value.type = FWP_BYTE_ARRAY16_TYPE;
        b->value[ix.remote].value.byteArray16 = &b->remote6;
    } else {
        b->value[ix.local].value.type = FWP_UINT32;
        b->value[ix.local].value.uint32 = local4;
        b->value[ix.remote].value.type = FWP_UINT32;
        b->value[ix.remote].value.uint32 = remote4;
    }
    if (ix.direction != 0xFFFF) {
        b->value[ix.direction].value.type = FWP_UINT32;
        b->value[ix.direction].value.uint32 = direction;
    }
    b->values.layerId = layer;
    b->values.valueCount = ix.count;
    b->values.incomingValue = b->value;
}

static int establish(UINT16 layer, BOOLEAN v6, UINT64 flow, UINT32 flags, UINT32 pid, const wchar_t *path, UINT32 local4,
                     const UINT8 *local6, UINT16 lport, UINT32 remote4, const UINT8 *remote6, UINT16 rport, UINT8 protocol,
                     UINT32 direction)
{
    built_values b;
    FWPS_INCOMING_METADATA_VALUES0 meta;
    FWP_BYTE_BLOB blob;
    size_t chars = 0;

    build(&b, layer, v6, local4, local6, lport, remote4, remote6, rport, protocol, direction);
    memset(&meta, 0, sizeof(meta));
    meta.currentMetadataValues = flags;
    meta.flowHandle = flow;
    meta.processId = pid;
    if (path != NULL) {
        while (path[chars] != 0) chars++;
        blob.size = (UINT32)((chars + 1) * sizeof(WCHAR)); /* WFP's blob includes the terminating NUL */
        blob.data = (UINT8 *)path;
        meta.processPath = &blob;
    }
    return fake_classify(layer, &b.values, &meta, NULL, flow);
}

#define FULL_FLOW_METADATA (FWPS_METADATA_FIELD_FLOW_HANDLE | FWPS_METADATA_FIELD_PROCESS_ID | FWPS_METADATA_FIELD_PROCESS_PATH)

int harness_establish_v4(UINT64 flow, UINT32 pid, const wchar_t *path, UINT32 local, UINT16 lport, UINT32 remote,
                         UINT16 rport, UINT8 protocol, UINT32 direction)
{
    return establish(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, FALSE, flow, FULL_FLOW_METADATA, pid, path, local, NULL, lport,
                     remote, NULL, rport, protocol, direction);
}

int harness_establish_v6(UINT64 flow, UINT32 pid, const wchar_t *path, const UINT8 local[16], UINT16 lport,
                         const UINT8 remote[16], UINT16 rport, UINT8 protocol, UINT32 direction)
{
    return establish(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6, TRUE, flow, FULL_FLOW_METADATA, pid, path, 0, local, lport, 0,
                     remote, rport, protocol, direction);
}

int harness_establish_v4_meta(UINT64 flow, UINT32 metadata_flags, UINT32 pid, const wchar_t *path)
{
    return establish(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, FALSE, flow, metadata_flags, pid, path, 0xC0A8010A, NULL, 50000,
                     0x0A000001, NULL, 443, 6, FWP_DIRECTION_OUTBOUND);
}

static int packets_nbl(UINT16 layer, BOOLEAN v6, UINT64 flow, UINT32 local4, const UINT8 *local6, UINT16 lport,
                       UINT32 remote4, const UINT8 *remote6, UINT16 rport, UINT8 protocol, int count, UINT32 data_length,
                       BOOLEAN header_known, UINT32 header_size)
{
    built_values b;
    FWPS_INCOMING_METADATA_VALUES0 meta;
    NET_BUFFER_LIST nbl;
    NET_BUFFER *nbs = calloc((size_t)(count > 0 ? count : 1), sizeof(NET_BUFFER));
    int i, action;

    build(&b, layer, v6, local4, local6, lport, remote4, remote6, rport, protocol, 0);
    memset(&meta, 0, sizeof(meta));
    if (header_known) {
        meta.currentMetadataValues = FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE;
        meta.transportHeaderSize = header_size;
    }
    for (i = 0; i < count; i++) {
        nbs[i].DataLength = data_length;
        nbs[i].Next = i + 1 < count ? &nbs[i + 1] : NULL;
    }
    nbl.Next = NULL;
    nbl.FirstNetBuffer = count > 0 ? &nbs[0] : NULL;
    action = fake_classify(layer, &b.values, &meta, &nbl, flow);
    free(nbs);
    return action;
}

int harness_packets_raw(BOOLEAN inbound, BOOLEAN v6, UINT64 flow, UINT8 protocol, int count, UINT32 data_length,
                        BOOLEAN header_known, UINT32 header_size)
{
    static const UINT8 loopback6[16] = {[15] = 1};
    UINT16 layer = v6 ? (inbound ? FWPS_LAYER_INBOUND_TRANSPORT_V6 : FWPS_LAYER_OUTBOUND_TRANSPORT_V6)
                      : (inbound ? FWPS_LAYER_INBOUND_TRANSPORT_V4 : FWPS_LAYER_OUTBOUND_TRANSPORT_V4);
    return packets_nbl(layer, v6, flow, 0x7F000001, loopback6, 0, 0x7F000002, loopback6, 0, protocol, count,
                       data_length, header_known, header_size);
}

/* Payload of `bytes` each; outbound buffers start at the header (header_bytes, given as metadata when non-zero). */
static int packets(UINT16 layer, BOOLEAN v6, UINT64 flow, UINT32 local4, const UINT8 *local6, UINT16 lport, UINT32 remote4,
                   const UINT8 *remote6, UINT16 rport, UINT8 protocol, int count, UINT32 bytes, UINT32 header_bytes)
{
    return packets_nbl(layer, v6, flow, local4, local6, lport, remote4, remote6, rport, protocol, count,
                       bytes + header_bytes, (BOOLEAN)(header_bytes != 0), header_bytes);
}

int harness_packets_v4(BOOLEAN inbound, UINT64 flow, UINT32 local, UINT16 lport, UINT32 remote, UINT16 rport,
                       UINT8 protocol, int count, UINT32 bytes, UINT32 header_bytes)
{
    return packets(inbound ? FWPS_LAYER_INBOUND_TRANSPORT_V4 : FWPS_LAYER_OUTBOUND_TRANSPORT_V4, FALSE, flow, local, NULL,
                   lport, remote, NULL, rport, protocol, count, bytes, inbound ? 0 : header_bytes);
}

int harness_packets_v6(BOOLEAN inbound, UINT64 flow, const UINT8 local[16], UINT16 lport, const UINT8 remote[16],
                       UINT16 rport, UINT8 protocol, int count, UINT32 bytes)
{
    return packets(inbound ? FWPS_LAYER_INBOUND_TRANSPORT_V6 : FWPS_LAYER_OUTBOUND_TRANSPORT_V6, TRUE, flow, 0, local,
                   lport, 0, remote, rport, protocol, count, bytes, inbound ? 0 : 20);
}

const fake_trace_event *harness_event(const char *name, int nth)
{
    int i;
    for (i = 0; i < fake_trace_count(); i++) {
        const fake_trace_event *e = fake_trace_at(i);
        if (strcmp(e->name, name) == 0 && nth-- == 0) return e;
    }
    return NULL;
}

const fake_trace_field *harness_field(const fake_trace_event *e, const char *name)
{
    int i;
    if (e == NULL) return NULL;
    for (i = 0; i < e->field_count; i++) if (strcmp(e->fields[i].name, name) == 0) return &e->fields[i];
    return NULL;
}

int harness_text_equals(const fake_trace_field *f, const wchar_t *expected)
{
    size_t n = 0;
    if (f == NULL) return 0;
    while (expected[n] != 0) n++;
    return f->count == n && memcmp(f->text, expected, n * sizeof(uint16_t)) == 0;
}
