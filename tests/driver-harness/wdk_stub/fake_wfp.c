/*
 * A user-mode fake of the WFP filter engine, after ebpf-for-windows' fake engine: it keeps registered callouts,
 * FWPM objects (with transactions and dynamic-session cleanup), filters and flow-context associations, invokes
 * classify only where a filter points at a callout, calls flowDeleteFn when a flow ends or a context is removed,
 * and answers STATUS_DEVICE_BUSY to callout unregistration while contexts remain, as the real engine does.
 */
#include <stdio.h>
#include "fake_internal.h"

/* Placeholder layer keys: distinct values are all the harness needs (see fwpmk.h). */
const GUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4 = {0xaf80470a, 0, 0, {0, 0, 0, 0, 0, 0, 0, 1}};
const GUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6 = {0x7021d2b3, 0, 0, {0, 0, 0, 0, 0, 0, 0, 2}};
const GUID FWPM_LAYER_INBOUND_TRANSPORT_V4 = {0x5926dfc8, 0, 0, {0, 0, 0, 0, 0, 0, 0, 3}};
const GUID FWPM_LAYER_INBOUND_TRANSPORT_V6 = {0x634a869f, 0, 0, {0, 0, 0, 0, 0, 0, 0, 4}};
const GUID FWPM_LAYER_OUTBOUND_TRANSPORT_V4 = {0x09e61aea, 0, 0, {0, 0, 0, 0, 0, 0, 0, 5}};
const GUID FWPM_LAYER_OUTBOUND_TRANSPORT_V6 = {0xe1735bde, 0, 0, {0, 0, 0, 0, 0, 0, 0, 6}};

static const struct { const GUID *key; UINT16 id; } k_layer_map[] = {
    {&FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4, FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4},
    {&FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6, FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6},
    {&FWPM_LAYER_INBOUND_TRANSPORT_V4, FWPS_LAYER_INBOUND_TRANSPORT_V4},
    {&FWPM_LAYER_INBOUND_TRANSPORT_V6, FWPS_LAYER_INBOUND_TRANSPORT_V6},
    {&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, FWPS_LAYER_OUTBOUND_TRANSPORT_V4},
    {&FWPM_LAYER_OUTBOUND_TRANSPORT_V6, FWPS_LAYER_OUTBOUND_TRANSPORT_V6},
};

#define MAX_CALLOUTS 16
#define MAX_FILTERS 16
#define MAX_ASSOC 4096

typedef struct { BOOLEAN live; UINT32 id; FWPS_CALLOUT3 callout; UINT16 fwpm_layer; BOOLEAN fwpm_added; } callout_slot;
typedef struct { BOOLEAN live; BOOLEAN in_tx; UINT64 id; UINT16 layer_id; GUID callout_key; FWP_ACTION_TYPE action; } filter_slot;
typedef struct { BOOLEAN live; BOOLEAN pending_removal; UINT64 flow; UINT16 layer; UINT32 callout_id; UINT64 context; } assoc_slot;

static callout_slot g_callouts[MAX_CALLOUTS];
static filter_slot g_filters[MAX_FILTERS];
static assoc_slot g_assoc[MAX_ASSOC];
static UINT32 g_next_callout_id;
static UINT64 g_next_filter_id;
static BOOLEAN g_engine_open, g_engine_dynamic, g_in_tx, g_provider_added, g_sublayer_added;
static int g_remove_pending_mode, g_unregister_busy_times;
static int g_engine_token;

void fake_wfp_reset(void)
{
    memset(g_callouts, 0, sizeof(g_callouts));
    memset(g_filters, 0, sizeof(g_filters));
    memset(g_assoc, 0, sizeof(g_assoc));
    g_next_callout_id = 100;
    g_next_filter_id = 5000;
    g_engine_open = g_engine_dynamic = g_in_tx = g_provider_added = g_sublayer_added = FALSE;
    g_remove_pending_mode = 0;
    g_unregister_busy_times = 0;
}

void fake_set_remove_context_pending(int pending) { g_remove_pending_mode = pending; }
void fake_set_unregister_busy_times(int times) { g_unregister_busy_times = times; }

int fake_callouts_registered(void)
{
    int i, n = 0;
    for (i = 0; i < MAX_CALLOUTS; i++) n += g_callouts[i].live;
    return n;
}

int fake_filters_live(void)
{
    int i, n = 0;
    for (i = 0; i < MAX_FILTERS; i++) n += g_filters[i].live;
    return n;
}

int fake_filters_with_action(FWP_ACTION_TYPE action)
{
    int i, n = 0;
    for (i = 0; i < MAX_FILTERS; i++) n += g_filters[i].live && g_filters[i].action == action;
    return n;
}

int fake_engine_open(void) { return g_engine_open; }
int fake_engine_was_dynamic(void) { return g_engine_dynamic; }

int fake_associations_live(void)
{
    int i, n = 0;
    for (i = 0; i < MAX_ASSOC; i++) n += g_assoc[i].live;
    return n;
}

static callout_slot *callout_by_id(UINT32 id)
{
    int i;
    for (i = 0; i < MAX_CALLOUTS; i++) if (g_callouts[i].live && g_callouts[i].id == id) return &g_callouts[i];
    return NULL;
}

static callout_slot *callout_by_key(const GUID *key)
{
    int i;
    for (i = 0; i < MAX_CALLOUTS; i++) if (g_callouts[i].live && IsEqualGUID(&g_callouts[i].callout.calloutKey, key)) return &g_callouts[i];
    return NULL;
}

static int layer_id_of(const GUID *key)
{
    size_t i;
    for (i = 0; i < sizeof(k_layer_map) / sizeof(k_layer_map[0]); i++) if (IsEqualGUID(k_layer_map[i].key, key)) return k_layer_map[i].id;
    return -1;
}

/* ---- FWPS ---- */
NTSTATUS FwpsCalloutRegister3(void *device, const FWPS_CALLOUT3 *callout, UINT32 *id)
{
    NTSTATUS status = fake_record_call("FwpsCalloutRegister3");
    int i;
    if (!NT_SUCCESS(status)) return status;
    if (device == NULL) fake_violation("callout registered without a device object");
    if (callout->classifyFn == NULL || callout->notifyFn == NULL) fake_violation("callout without classify or notify");
    if (callout_by_key(&callout->calloutKey) != NULL) return STATUS_UNSUCCESSFUL; /* FWP_E_ALREADY_EXISTS */
    for (i = 0; i < MAX_CALLOUTS; i++) {
        if (!g_callouts[i].live) {
            memset(&g_callouts[i], 0, sizeof(g_callouts[i]));
            g_callouts[i].live = TRUE;
            g_callouts[i].id = g_next_callout_id++;
            g_callouts[i].callout = *callout;
            *id = g_callouts[i].id;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

static void delete_association(assoc_slot *a)
{
    callout_slot *c = callout_by_id(a->callout_id);
    UINT64 context = a->context;
    UINT16 layer = a->layer;
    UINT32 callout_id = a->callout_id;
    a->live = FALSE;
    a->pending_removal = FALSE;
    if (fake_locks_held() > 0) fake_violation("flowDeleteFn invoked while the driver holds a spin lock");
    if (c != NULL && c->callout.flowDeleteFn != NULL) c->callout.flowDeleteFn(layer, callout_id, context);
}

NTSTATUS FwpsCalloutUnregisterById0(const UINT32 id)
{
    NTSTATUS status = fake_record_call("FwpsCalloutUnregisterById0");
    callout_slot *c = callout_by_id(id);
    int i, busy = 0;
    if (!NT_SUCCESS(status)) return status;
    if (c == NULL) return STATUS_NOT_FOUND;
    for (i = 0; i < MAX_ASSOC; i++) busy += g_assoc[i].live && g_assoc[i].callout_id == id;
    if (busy > 0 || g_unregister_busy_times > 0) {
        if (g_unregister_busy_times > 0) g_unregister_busy_times--;
        return STATUS_DEVICE_BUSY;
    }
    c->live = FALSE;
    return STATUS_SUCCESS;
}

NTSTATUS FwpsFlowAssociateContext0(UINT64 flow, UINT16 layer, UINT32 callout_id, UINT64 context)
{
    NTSTATUS status = fake_record_call("FwpsFlowAssociateContext0");
    int i;
    if (!NT_SUCCESS(status)) return status;
    if (context == 0) return STATUS_INVALID_PARAMETER;
    if (callout_by_id(callout_id) == NULL) return STATUS_NOT_FOUND;
    for (i = 0; i < MAX_ASSOC; i++) {
        if (g_assoc[i].live && g_assoc[i].flow == flow && g_assoc[i].layer == layer && g_assoc[i].callout_id == callout_id) {
            fake_violation("context associated twice with the same flow, layer and callout");
            return STATUS_UNSUCCESSFUL;
        }
    }
    for (i = 0; i < MAX_ASSOC; i++) {
        if (!g_assoc[i].live) {
            g_assoc[i] = (assoc_slot){TRUE, FALSE, flow, layer, callout_id, context};
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS FwpsFlowRemoveContext0(UINT64 flow, UINT16 layer, UINT32 callout_id)
{
    NTSTATUS status = fake_record_call("FwpsFlowRemoveContext0");
    int i;
    if (!NT_SUCCESS(status)) return status;
    if (fake_locks_held() > 0) fake_violation("FwpsFlowRemoveContext0 called with a spin lock held");
    for (i = 0; i < MAX_ASSOC; i++) {
        assoc_slot *a = &g_assoc[i];
        if (a->live && !a->pending_removal && a->flow == flow && a->layer == layer && a->callout_id == callout_id) {
            if (g_remove_pending_mode) {
                a->pending_removal = TRUE;
                return STATUS_PENDING;
            }
            delete_association(a);
            return STATUS_SUCCESS;
        }
    }
    return STATUS_UNSUCCESSFUL; /* no context associated */
}

void fake_wfp_complete_pending(void)
{
    int i;
    for (i = 0; i < MAX_ASSOC; i++) if (g_assoc[i].live && g_assoc[i].pending_removal) delete_association(&g_assoc[i]);
}

int fake_classify(UINT16 layer_id, const FWPS_INCOMING_VALUES0 *values, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                  void *layer_data, UINT64 flow_handle)
{
    int i, j;
    for (i = 0; i < MAX_FILTERS; i++) {
        filter_slot *f = &g_filters[i];
        callout_slot *c;
        UINT64 context = 0;
        FWPS_CLASSIFY_OUT0 out;
        FWPS_FILTER3 filter;
        if (!f->live || f->in_tx || f->layer_id != layer_id) continue;
        c = callout_by_key(&f->callout_key);
        if (c == NULL) return -1; /* inspection filter whose callout is gone: skipped, traffic continues */
        for (j = 0; j < MAX_ASSOC; j++) {
            if (g_assoc[j].live && g_assoc[j].flow == flow_handle && g_assoc[j].layer == layer_id && g_assoc[j].callout_id == c->id) {
                context = g_assoc[j].context;
            }
        }
        memset(&out, 0, sizeof(out));
        out.actionType = FWP_ACTION_NONE;
        out.rights = FWPS_RIGHT_ACTION_WRITE;
        memset(&filter, 0, sizeof(filter));
        filter.filterId = f->id;
        filter.action.type = f->action;
        filter.action.calloutId = c->id;
        c->callout.classifyFn(values, meta, layer_data, NULL, &filter, context, &out);
        if (fake_locks_held() > 0) fake_violation("classify returned holding a spin lock");
        return (int)out.actionType;
    }
    return -1;
}

void fake_end_flow(UINT64 flow_handle)
{
    int i;
    for (i = 0; i < MAX_ASSOC; i++) if (g_assoc[i].live && g_assoc[i].flow == flow_handle) delete_association(&g_assoc[i]);
}

/* ---- FWPM ---- */
NTSTATUS FwpmEngineOpen0(const wchar_t *server, UINT32 authn, void *auth, const FWPM_SESSION0 *session, HANDLE *engine)
{
    NTSTATUS status = fake_record_call("FwpmEngineOpen0");
    (void)server; (void)authn; (void)auth;
    if (!NT_SUCCESS(status)) return status;
    g_engine_open = TRUE;
    g_engine_dynamic = session != NULL && (session->flags & FWPM_SESSION_FLAG_DYNAMIC) != 0;
    *engine = &g_engine_token;
    return STATUS_SUCCESS;
}

NTSTATUS FwpmEngineClose0(HANDLE engine)
{
    int i;
    fake_record_call("FwpmEngineClose0");
    if (engine != &g_engine_token || !g_engine_open) fake_violation("engine closed twice or never opened");
    if (g_in_tx) fake_violation("engine closed inside a transaction");
    g_engine_open = FALSE;
    if (g_engine_dynamic) {
        /* A dynamic session's objects go with it. */
        for (i = 0; i < MAX_FILTERS; i++) g_filters[i].live = FALSE;
        for (i = 0; i < MAX_CALLOUTS; i++) g_callouts[i].fwpm_added = FALSE;
        g_provider_added = g_sublayer_added = FALSE;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FwpmTransactionBegin0(HANDLE engine, UINT32 flags)
{
    NTSTATUS status = fake_record_call("FwpmTransactionBegin0");
    (void)engine; (void)flags;
    if (!NT_SUCCESS(status)) return status;
    if (g_in_tx) fake_violation("nested transaction");
    g_in_tx = TRUE;
    return STATUS_SUCCESS;
}

NTSTATUS FwpmTransactionCommit0(HANDLE engine)
{
    NTSTATUS status = fake_record_call("FwpmTransactionCommit0");
    int i;
    (void)engine;
    if (!NT_SUCCESS(status)) return status;
    for (i = 0; i < MAX_FILTERS; i++) g_filters[i].in_tx = FALSE;
    g_in_tx = FALSE;
    return STATUS_SUCCESS;
}

NTSTATUS FwpmTransactionAbort0(HANDLE engine)
{
    int i;
    (void)engine;
    fake_record_call("FwpmTransactionAbort0");
    for (i = 0; i < MAX_FILTERS; i++) if (g_filters[i].in_tx) g_filters[i].live = FALSE;
    g_in_tx = FALSE;
    g_provider_added = g_sublayer_added = FALSE;
    return STATUS_SUCCESS;
}

static NTSTATUS require_tx(const char *api)
{
    NTSTATUS status = fake_record_call(api);
    if (NT_SUCCESS(status) && !g_in_tx) fake_violation("FWPM object added outside the transaction");
    return status;
}

NTSTATUS FwpmProviderAdd0(HANDLE engine, const FWPM_PROVIDER0 *provider, void *sd)
{
    NTSTATUS status = require_tx("FwpmProviderAdd0");
    (void)engine; (void)provider; (void)sd;
    if (NT_SUCCESS(status)) g_provider_added = TRUE;
    return status;
}

NTSTATUS FwpmSubLayerAdd0(HANDLE engine, const FWPM_SUBLAYER0 *sublayer, void *sd)
{
    NTSTATUS status = require_tx("FwpmSubLayerAdd0");
    (void)engine; (void)sublayer; (void)sd;
    if (NT_SUCCESS(status)) g_sublayer_added = TRUE;
    return status;
}

NTSTATUS FwpmCalloutAdd0(HANDLE engine, const FWPM_CALLOUT0 *callout, void *sd, UINT32 *id)
{
    NTSTATUS status = require_tx("FwpmCalloutAdd0");
    callout_slot *c;
    (void)engine; (void)sd; (void)id;
    if (!NT_SUCCESS(status)) return status;
    c = callout_by_key(&callout->calloutKey);
    if (c == NULL) return STATUS_NOT_FOUND;
    if (layer_id_of(&callout->applicableLayer) < 0) return STATUS_INVALID_PARAMETER;
    c->fwpm_added = TRUE;
    c->fwpm_layer = (UINT16)layer_id_of(&callout->applicableLayer);
    return STATUS_SUCCESS;
}

NTSTATUS FwpmFilterAdd0(HANDLE engine, const FWPM_FILTER0 *filter, void *sd, UINT64 *id)
{
    NTSTATUS status = require_tx("FwpmFilterAdd0");
    int i, layer = layer_id_of(&filter->layerKey);
    (void)engine; (void)sd;
    if (!NT_SUCCESS(status)) return status;
    if (layer < 0 || !g_sublayer_added) return STATUS_INVALID_PARAMETER;
    for (i = 0; i < MAX_FILTERS; i++) {
        if (!g_filters[i].live) {
            g_filters[i] = (filter_slot){TRUE, TRUE, g_next_filter_id++, (UINT16)layer, filter->action.calloutKey, filter->action.type};
            if (id != NULL) *id = g_filters[i].id;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS FwpmFilterDeleteById0(HANDLE engine, UINT64 id)
{
    int i;
    (void)engine;
    fake_record_call("FwpmFilterDeleteById0");
    for (i = 0; i < MAX_FILTERS; i++) {
        if (g_filters[i].live && g_filters[i].id == id) {
            g_filters[i].live = FALSE;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_NOT_FOUND;
}
