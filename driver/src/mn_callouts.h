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

_IRQL_requires_max_(DISPATCH_LEVEL) FWPS_CALLOUT_CLASSIFY_FN3 mn_classify_flow_established;
_IRQL_requires_max_(DISPATCH_LEVEL) FWPS_CALLOUT_CLASSIFY_FN3 mn_classify_transport;
_IRQL_requires_max_(PASSIVE_LEVEL) FWPS_CALLOUT_NOTIFY_FN3 mn_notify;
_IRQL_requires_max_(DISPATCH_LEVEL) FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 mn_flow_delete;
