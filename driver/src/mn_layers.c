/*
 * Layer field tables and tuple extraction. IPv4 addresses arrive as FWP_UINT32 in host order and are written
 * as ::ffff:a.b.c.d in network order; IPv6 addresses arrive as FWP_BYTE_ARRAY16 already in network order.
 */
#include "mn_layers.h"

static const mn_layer_fields k_layers[] = {
    {FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, FALSE, FWP_DIRECTION_MAX, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_PROTOCOL,
     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT,
     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT,
     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_DIRECTION},
    {FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6, TRUE, FWP_DIRECTION_MAX, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_PROTOCOL,
     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_PORT,
     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_ADDRESS, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_PORT,
     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_DIRECTION},
    {FWPS_LAYER_INBOUND_TRANSPORT_V4, FALSE, FWP_DIRECTION_INBOUND, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL,
     FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT,
     FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_PORT, MN_NO_FIELD},
    {FWPS_LAYER_INBOUND_TRANSPORT_V6, TRUE, FWP_DIRECTION_INBOUND, FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_PROTOCOL,
     FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS, FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_PORT,
     FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS, FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_PORT, MN_NO_FIELD},
    {FWPS_LAYER_OUTBOUND_TRANSPORT_V4, FALSE, FWP_DIRECTION_OUTBOUND, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_PROTOCOL,
     FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_PORT,
     FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS, FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_REMOTE_PORT, MN_NO_FIELD},
    {FWPS_LAYER_OUTBOUND_TRANSPORT_V6, TRUE, FWP_DIRECTION_OUTBOUND, FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_PROTOCOL,
     FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS, FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_LOCAL_PORT,
     FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS, FWPS_FIELD_OUTBOUND_TRANSPORT_V6_IP_REMOTE_PORT, MN_NO_FIELD},
};

_Use_decl_annotations_
const mn_layer_fields *mn_layer_fields_for(UINT16 layer_id)
{
    size_t i;

    for (i = 0; i < sizeof(k_layers) / sizeof(k_layers[0]); i++) {
        if (k_layers[i].layer_id == layer_id) {
            return &k_layers[i];
        }
    }
    return NULL;
}

static BOOLEAN mn_read_address(_In_ const FWPS_INCOMING_VALUES0 *values, _In_ UINT16 field, _In_ BOOLEAN is_ipv6,
                               _Out_writes_(16) UINT8 *address)
{
    const FWP_VALUE0 *value = &values->incomingValue[field].value;

    RtlZeroMemory(address, 16);
    if (is_ipv6) {
        if (value->type != FWP_BYTE_ARRAY16_TYPE || value->byteArray16 == NULL) {
            return FALSE;
        }
        RtlCopyMemory(address, value->byteArray16->byteArray16, 16);
        return TRUE;
    }
    if (value->type != FWP_UINT32) {
        return FALSE;
    }
    address[10] = 0xFF;
    address[11] = 0xFF;
    address[12] = (UINT8)(value->uint32 >> 24);
    address[13] = (UINT8)(value->uint32 >> 16);
    address[14] = (UINT8)(value->uint32 >> 8);
    address[15] = (UINT8)(value->uint32);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN mn_tuple_from_values(const FWPS_INCOMING_VALUES0 *values, mn_tuple *tuple)
{
    const mn_layer_fields *fields = mn_layer_fields_for(values->layerId);
    const FWPS_INCOMING_VALUE0 *v = values->incomingValue;
    BOOLEAN ok = FALSE;

    RtlZeroMemory(tuple, sizeof(*tuple));
    if (fields == NULL || v == NULL) {
        goto Exit;
    }
    if (values->valueCount <= fields->remote_port || values->valueCount <= fields->remote_address ||
        values->valueCount <= fields->local_port || values->valueCount <= fields->local_address ||
        values->valueCount <= fields->protocol ||
        (fields->direction != MN_NO_FIELD && values->valueCount <= fields->direction)) {
        goto Exit;
    }
    if (v[fields->protocol].value.type != FWP_UINT8 || v[fields->local_port].value.type != FWP_UINT16 ||
        v[fields->remote_port].value.type != FWP_UINT16) {
        goto Exit;
    }
    tuple->protocol = v[fields->protocol].value.uint8;
    tuple->local_port = v[fields->local_port].value.uint16;
    tuple->remote_port = v[fields->remote_port].value.uint16;
    if (!mn_read_address(values, fields->local_address, fields->is_ipv6, tuple->local_address) ||
        !mn_read_address(values, fields->remote_address, fields->is_ipv6, tuple->remote_address)) {
        goto Exit;
    }
    if (fields->direction == MN_NO_FIELD) {
        tuple->direction = fields->fixed_direction;
    } else {
        if (v[fields->direction].value.type != FWP_UINT32 || v[fields->direction].value.uint32 >= FWP_DIRECTION_MAX) {
            goto Exit;
        }
        tuple->direction = (UINT8)v[fields->direction].value.uint32;
    }
    ok = TRUE;

Exit:
    return ok;
}

_Use_decl_annotations_
BOOLEAN mn_protocol_from_values(const FWPS_INCOMING_VALUES0 *values, UINT8 *protocol)
{
    const mn_layer_fields *fields = mn_layer_fields_for(values->layerId);
    const FWPS_INCOMING_VALUE0 *v = values->incomingValue;

    *protocol = 0;
    if (fields == NULL || v == NULL || values->valueCount <= fields->protocol || v[fields->protocol].value.type != FWP_UINT8) {
        return FALSE;
    }
    *protocol = v[fields->protocol].value.uint8;
    return TRUE;
}
