/*
 * Classify, notify and flow-delete functions. Classify runs at up to DISPATCH_LEVEL on any processor: no paged
 * code or data, no waits, and the only allocation is one lookaside context per established flow.
 */
#include "mn_callouts.h"
#include "mn_flow.h"
#include "mn_flow_stats.h"
#include "mn_layers.h"
#include "mn_payload.h"
#include "mn_trace.h"

static mn_transport_callout_ids g_transport_ids;

_Use_decl_annotations_
void mn_callouts_set_transport_ids(const mn_transport_callout_ids *ids)
{
    g_transport_ids = *ids;
}

/* Inspection only: leave the decision to other filters, and never touch an action we may not write. */
static void mn_continue(_Inout_ FWPS_CLASSIFY_OUT0 *classify_out)
{
    if ((classify_out->rights & FWPS_RIGHT_ACTION_WRITE) != 0) {
        classify_out->actionType = FWP_ACTION_CONTINUE;
    }
}

/* A higher-priority filter has already blocked this: WFP shows its hard decision as a BLOCK action with the write
   right cleared (FWPS_CLASSIFY_OUT0, "Using a Callout for Deep Inspection"). Such traffic never moves, so it is not
   counted. */
static BOOLEAN mn_already_blocked(_In_ const FWPS_CLASSIFY_OUT0 *classify_out)
{
    return (BOOLEAN)((classify_out->rights & FWPS_RIGHT_ACTION_WRITE) == 0 && classify_out->actionType == FWP_ACTION_BLOCK);
}

/* The process path as WFP gives it: a byte blob holding a NUL-terminated UTF-16 string. */
static void mn_process_path(_In_ const FWPS_INCOMING_METADATA_VALUES0 *meta, _Out_ const WCHAR **path,
                            _Out_ UINT16 *chars)
{
    *path = NULL;
    *chars = 0;
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_PROCESS_PATH) && meta->processPath != NULL &&
        meta->processPath->data != NULL) {
        UINT32 n = meta->processPath->size / sizeof(WCHAR);
        const WCHAR *p = (const WCHAR *)meta->processPath->data;
        while (n > 0 && p[n - 1] == 0) {
            n--;
        }
        *path = p;
        *chars = (UINT16)(n > 0xFFFF ? 0xFFFF : n);
    }
}

_Use_decl_annotations_
void NTAPI mn_classify_flow_established(const FWPS_INCOMING_VALUES0 *in_fixed_values,
                                  const FWPS_INCOMING_METADATA_VALUES0 *in_meta_values, void *layer_data,
                                  const void *classify_context, const FWPS_FILTER3 *filter, UINT64 flow_context,
                                  FWPS_CLASSIFY_OUT0 *classify_out)
{
    mn_tuple tuple;
    const WCHAR *path;
    UINT16 path_chars;
    UINT32 process_id = 0;
    UINT64 flow_id;
    BOOLEAN is_ipv6;
    mn_flow_layers layers;

    UNREFERENCED_PARAMETER(layer_data);
    UNREFERENCED_PARAMETER(classify_context);
    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(flow_context);

    if (mn_already_blocked(classify_out)) {
        goto Exit;
    }
    mn_continue(classify_out);
    /* The context is attached whether or not anyone listens (one lookaside allocation per flow), so a flow that
       began before the collector did (RDP, a VPN tunnel, a sync client) is counted from the moment a listener
       enables the provider: its records carry the bytes moved since then, and its end. */
    if (!FWPS_IS_METADATA_FIELD_PRESENT(in_meta_values, FWPS_METADATA_FIELD_FLOW_HANDLE)) {
        goto Exit; /* without a flow handle there is neither a FlowId nor a context to attach */
    }
    if (!mn_tuple_from_values(in_fixed_values, &tuple)) {
        goto Exit;
    }
    if (FWPS_IS_METADATA_FIELD_PRESENT(in_meta_values, FWPS_METADATA_FIELD_PROCESS_ID)) {
        process_id = (UINT32)in_meta_values->processId;
    }
    mn_process_path(in_meta_values, &path, &path_chars);
    flow_id = in_meta_values->flowHandle;
    mn_trace_flow_established(flow_id, process_id, &tuple, path, path_chars); /* a no-op when nobody listens */

    is_ipv6 = (BOOLEAN)(in_fixed_values->layerId == FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6);
    layers.layer_id[0] = is_ipv6 ? FWPS_LAYER_INBOUND_TRANSPORT_V6 : FWPS_LAYER_INBOUND_TRANSPORT_V4;
    layers.callout_id[0] = is_ipv6 ? g_transport_ids.inbound_v6 : g_transport_ids.inbound_v4;
    layers.layer_id[1] = is_ipv6 ? FWPS_LAYER_OUTBOUND_TRANSPORT_V6 : FWPS_LAYER_OUTBOUND_TRANSPORT_V4;
    layers.callout_id[1] = is_ipv6 ? g_transport_ids.outbound_v6 : g_transport_ids.outbound_v4;
    mn_flow_attach(flow_id, process_id, &tuple, &layers);

Exit:
    return;
}

_Use_decl_annotations_
void NTAPI mn_classify_transport(const FWPS_INCOMING_VALUES0 *in_fixed_values,
                                 const FWPS_INCOMING_METADATA_VALUES0 *in_meta_values, void *layer_data,
                                 const void *classify_context, const FWPS_FILTER3 *filter, UINT64 flow_context,
                                 FWPS_CLASSIFY_OUT0 *classify_out)
{
    /* WFP keeps this context's association alive for the whole classify, so no reference is needed. */
    mn_flow *flow = (mn_flow *)(ULONG_PTR)flow_context;
    const mn_layer_fields *fields = mn_layer_fields_for(in_fixed_values->layerId);
    const NET_BUFFER_LIST *nbl = (const NET_BUFFER_LIST *)layer_data;
    const NET_BUFFER *nb;
    BOOLEAN write_packets;
    BOOLEAN have_tuple = FALSE;
    BOOLEAN header_size_known;
    mn_tuple tuple;
    UINT8 protocol;

    UNREFERENCED_PARAMETER(classify_context);
    UNREFERENCED_PARAMETER(filter);

    if (mn_already_blocked(classify_out)) {
        goto Exit;
    }
    mn_continue(classify_out);
    write_packets = mn_trace_packet_enabled();
    if (fields == NULL || nbl == NULL || (!write_packets && !mn_trace_flow_enabled())) {
        goto Exit; /* nobody listens (a flow is counted only while someone does), or nothing to count */
    }
    if (flow == NULL) {
        mn_flows_count_classify_without_context();
    }
    if (!mn_protocol_from_values(in_fixed_values, &protocol)) {
        goto Exit;
    }
    header_size_known = (BOOLEAN)FWPS_IS_METADATA_FIELD_PRESENT(in_meta_values, FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE);
    if (write_packets) {
        have_tuple = mn_tuple_from_values(in_fixed_values, &tuple);
    }
    if (flow != NULL) {
        mn_flow_stats_before_packets(flow); /* before counting: these packets belong to the interval it finds */
    }
    for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb)) {
        UINT32 payload;
        if (!mn_payload_bytes(fields->fixed_direction, protocol, NET_BUFFER_DATA_LENGTH(nb), header_size_known,
                              header_size_known ? in_meta_values->transportHeaderSize : 0, &payload)) {
            mn_flows_count_unknown_header();
        }
        if (flow != NULL) {
            mn_flow_count_packet(flow, fields->fixed_direction, payload);
        } else {
            mn_flows_count_packet_without_flow();
        }
        if (have_tuple) {
            mn_trace_packet(flow != NULL ? flow->flow_id : 0, flow != NULL ? flow->process_id : 0, &tuple, payload);
        }
    }

Exit:
    return;
}

_Use_decl_annotations_
NTSTATUS NTAPI mn_notify(FWPS_CALLOUT_NOTIFY_TYPE notify_type, const GUID *filter_key, FWPS_FILTER3 *filter)
{
    UNREFERENCED_PARAMETER(notify_type);
    UNREFERENCED_PARAMETER(filter_key);
    UNREFERENCED_PARAMETER(filter);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
void NTAPI mn_flow_delete(UINT16 layer_id, UINT32 callout_id, UINT64 flow_context)
{
    UNREFERENCED_PARAMETER(callout_id);
    if (flow_context != 0) {
        mn_flow_association_deleted((mn_flow *)(ULONG_PTR)flow_context, layer_id);
    } else {
        mn_flows_count_flow_deleted_without_context();
    }
}
