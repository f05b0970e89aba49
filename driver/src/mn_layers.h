/*
 * Where each layer keeps the 5-tuple: the data field indexes differ between layers (outbound transport puts
 * LOCAL_ADDRESS_TYPE before REMOTE_ADDRESS, inbound does not), so one table maps each layer to its fields.
 */
#pragma once
#include "mn_wdk.h"
#include "mn_trace.h"

#define MN_NO_FIELD 0xFFFF

typedef struct mn_layer_fields {
    UINT16 layer_id;
    BOOLEAN is_ipv6;
    UINT8 fixed_direction;   /* FWP_DIRECTION of the layer, or FWP_DIRECTION_MAX when a field carries it */
    UINT16 protocol;
    UINT16 local_address;
    UINT16 local_port;
    UINT16 remote_address;
    UINT16 remote_port;
    UINT16 direction;        /* MN_NO_FIELD at transport layers */
} mn_layer_fields;

/* The fields of a layer this driver registers at, or NULL. */
_IRQL_requires_max_(DISPATCH_LEVEL) const mn_layer_fields *mn_layer_fields_for(_In_ UINT16 layer_id);

/*
 * Reads protocol, addresses (IPv4 as v4-mapped IPv6), ports and direction. FALSE when the layer is not ours or a
 * value is missing or of an unexpected type: the caller then writes nothing rather than a wrong tuple.
 */
_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_
BOOLEAN mn_tuple_from_values(_In_ const FWPS_INCOMING_VALUES0 *values, _Out_ mn_tuple *tuple);

/* Reads only the IP protocol of a layer this driver registers at; FALSE when missing or of the wrong type. */
_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_
BOOLEAN mn_protocol_from_values(_In_ const FWPS_INCOMING_VALUES0 *values, _Out_ UINT8 *protocol);
