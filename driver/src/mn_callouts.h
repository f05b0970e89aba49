/*
 * The callout functions WFP calls: classify at ALE_FLOW_ESTABLISHED (write FlowEstablished, attach a flow
 * context) and at the transport layers (count, write Packet), notify, and flowDeleteFn. They only inspect:
 * the action is always FWP_ACTION_CONTINUE when the driver holds the write right, and untouched otherwise.
 */
#pragma once
#include "mn_wdk.h"

/* Run-time callout ids of the transport callouts, which flow contexts are associated with. */
typedef struct mn_transport_callout_ids {
    UINT32 inbound_v4;
    UINT32 outbound_v4;
    UINT32 inbound_v6;
    UINT32 outbound_v6;
} mn_transport_callout_ids;

/* Set by registration before any filter exists, so classify never sees a zero id. */
_IRQL_requires_max_(PASSIVE_LEVEL) void mn_callouts_set_transport_ids(_In_ const mn_transport_callout_ids *ids);

/*
 * Explicit prototypes, as Microsoft's WFP samples write them: FWPS_CALLOUT_CLASSIFY_FN3, FWPS_CALLOUT_NOTIFY_FN3
 * and FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 are function-pointer typedefs in fwpsk.h, so they cannot declare a
 * function. The parameter annotations are fwpsk.h's.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
void NTAPI mn_classify_flow_established(_In_ const FWPS_INCOMING_VALUES0 *in_fixed_values,
                                        _In_ const FWPS_INCOMING_METADATA_VALUES0 *in_meta_values,
                                        _Inout_opt_ void *layer_data, _In_opt_ const void *classify_context,
                                        _In_ const FWPS_FILTER3 *filter, _In_ UINT64 flow_context,
                                        _Inout_ FWPS_CLASSIFY_OUT0 *classify_out);

_IRQL_requires_max_(DISPATCH_LEVEL)
void NTAPI mn_classify_transport(_In_ const FWPS_INCOMING_VALUES0 *in_fixed_values,
                                 _In_ const FWPS_INCOMING_METADATA_VALUES0 *in_meta_values,
                                 _Inout_opt_ void *layer_data, _In_opt_ const void *classify_context,
                                 _In_ const FWPS_FILTER3 *filter, _In_ UINT64 flow_context,
                                 _Inout_ FWPS_CLASSIFY_OUT0 *classify_out);

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS NTAPI mn_notify(_In_ FWPS_CALLOUT_NOTIFY_TYPE notify_type, _In_ const GUID *filter_key,
                         _Inout_ FWPS_FILTER3 *filter);

_IRQL_requires_max_(DISPATCH_LEVEL)
void NTAPI mn_flow_delete(_In_ UINT16 layer_id, _In_ UINT32 callout_id, _In_ UINT64 flow_context);
