/*
 * A user-mode fake of the WFP filter engine, after ebpf-for-windows' fake engine: it keeps registered callouts,
 * FWPM objects (with transactions and dynamic-session cleanup), filters and flow-context associations, invokes
 * classify only where a filter points at a callout, calls flowDeleteFn when a flow ends or a context is removed,
 * and answers STATUS_DEVICE_BUSY to callout unregistration while contexts remain, as the real engine does.
 * Safe for the race scenarios' threads: one mutex guards the tables, and no driver callback runs under it. Like the
 * real engine, deleting a filter does not stop a classify already running, a removal that meets a running
 * classify answers STATUS_PENDING and calls flowDeleteFn when that classify returns, and unregistration is BUSY
 * while a classify of the callout runs.
 */
#include <pthread.h>
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
#define MAX_DELETIONS 64

typedef struct { BOOLEAN live; UINT32 id; FWPS_CALLOUT3 callout; UINT16 fwpm_layer; BOOLEAN fwpm_added; int in_flight; } callout_slot;
typedef struct { BOOLEAN live; BOOLEAN in_tx; UINT64 id; UINT16 layer_id; GUID callout_key; FWP_ACTION_TYPE action; } filter_slot;
typedef struct { BOOLEAN live; BOOLEAN pending_removal; UINT64 flow; UINT16 layer; UINT32 callout_id; UINT64 context; int in_flight; long long pended_us; } assoc_slot;

/* A flowDeleteFn call collected under the mutex and made after it is released. */
typedef struct { FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 fn; UINT16 layer; UINT32 callout_id; UINT64 context; } deletion;

static pthread_mutex_t g_wfp_mutex = PTHREAD_MUTEX_INITIALIZER;
static callout_slot g_callouts[MAX_CALLOUTS];
static filter_slot g_filters[MAX_FILTERS];
static assoc_slot g_assoc[MAX_ASSOC];
static UINT32 g_next_callout_id;
static UINT64 g_next_filter_id;
static BOOLEAN g_engine_open, g_engine_dynamic, g_in_tx, g_provider_added, g_sublayer_added;
static int g_remove_pending_mode, g_unregister_busy_times, g_pending_delay_ms;
static int g_busy_with_contexts, g_classifies_in_flight, g_earlier_filter_blocks;
static void (*g_associate_hook)(void);
static void (*g_classify_hook)(UINT16 layer_id);
static int g_engine_token;

#define LOCK() pthread_mutex_lock(&g_wfp_mutex)
#define UNLOCK() pthread_mutex_unlock(&g_wfp_mutex)

void fake_wfp_reset(void)
{
    LOCK();
    memset(g_callouts, 0, sizeof(g_callouts));
    memset(g_filters, 0, sizeof(g_filters));
    memset(g_assoc, 0, sizeof(g_assoc));
    g_next_callout_id = 100;
    g_next_filter_id = 5000;
    g_engine_open = g_engine_dynamic = g_in_tx = g_provider_added = g_sublayer_added = FALSE;
    g_remove_pending_mode = 0;
    g_unregister_busy_times = 0;
    g_pending_delay_ms = 0;
    g_busy_with_contexts = 0;
    g_classifies_in_flight = 0;
    g_earlier_filter_blocks = 0;
    g_associate_hook = NULL;
    g_classify_hook = NULL;
    UNLOCK();
}

void fake_set_remove_context_pending(int pending) { g_remove_pending_mode = pending; }
void fake_set_unregister_busy_times(int times) { g_unregister_busy_times = times; }
void fake_set_pending_delay_ms(int ms) { g_pending_delay_ms = ms; }
void fake_set_associate_hook(void (*hook)(void)) { g_associate_hook = hook; }
void fake_set_classify_hook(void (*hook)(UINT16 layer_id)) { g_classify_hook = hook; }
void fake_set_earlier_filter_blocks(int blocks) { g_earlier_filter_blocks = blocks; }
int fake_unregister_busy_with_contexts(void) { return __atomic_load_n(&g_busy_with_contexts, __ATOMIC_SEQ_CST); }
int fake_classifies_in_flight(void) { return __atomic_load_n(&g_classifies_in_flight, __ATOMIC_SEQ_CST); }

/* Under the mutex: a pended removal completes once its classify is done and the engine's delay has passed. */
static int pending_due(const assoc_slot *a)
{
    return a->live && a->pending_removal && a->in_flight == 0 && fake_now_us() - a->pended_us >= (long long)g_pending_delay_ms * 1000;
}

static int count_where(int what)
{
    int i, n = 0;
    LOCK();
    for (i = 0; i < MAX_CALLOUTS && what == 0; i++) n += g_callouts[i].live;
    for (i = 0; i < MAX_FILTERS && what == 1; i++) n += g_filters[i].live;
    for (i = 0; i < MAX_ASSOC && what == 2; i++) n += g_assoc[i].live;
    UNLOCK();
    return n;
}

int fake_callouts_registered(void) { return count_where(0); }
int fake_filters_live(void) { return count_where(1); }
int fake_associations_live(void) { return count_where(2); }

int fake_filters_with_action(FWP_ACTION_TYPE action)
{
    int i, n = 0;
    LOCK();
    for (i = 0; i < MAX_FILTERS; i++) n += g_filters[i].live && g_filters[i].action == action;
    UNLOCK();
    return n;
}

int fake_engine_open(void) { return g_engine_open; }
int fake_engine_was_dynamic(void) { return g_engine_dynamic; }

/* Under the mutex. */
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

/* Under the mutex: ends the association and queues its flowDeleteFn. */
static void end_association(assoc_slot *a, deletion *out, int *n)
{
    callout_slot *c = callout_by_id(a->callout_id);
    a->live = FALSE;
    a->pending_removal = FALSE;
    if (c != NULL && c->callout.flowDeleteFn != NULL && *n < MAX_DELETIONS) {
        out[(*n)++] = (deletion){c->callout.flowDeleteFn, a->layer, a->callout_id, a->context};
    }
}

/* Outside the mutex, as the real engine calls drivers. */
static void run_deletions(const deletion *d, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        KIRQL old;
        if (fake_locks_held() > 0) fake_violation("flowDeleteFn invoked while the driver holds a spin lock");
        old = fake_raise_to_dispatch();
        d[i].fn(d[i].layer, d[i].callout_id, d[i].context);
        fake_lower_irql(old);
    }
}

/* ---- FWPS ---- */
NTSTATUS FwpsCalloutRegister3(void *device, const FWPS_CALLOUT3 *callout, UINT32 *id)
{
    NTSTATUS status = fake_record_call("FwpsCalloutRegister3");
    int i;
    if (!NT_SUCCESS(status)) return status;
    if (device == NULL) fake_violation("callout registered without a device object");
    if (callout->classifyFn == NULL || callout->notifyFn == NULL) fake_violation("callout without classify or notify");
    LOCK();
    if (callout_by_key(&callout->calloutKey) != NULL) {
        UNLOCK();
        return STATUS_UNSUCCESSFUL; /* FWP_E_ALREADY_EXISTS */
    }
    for (i = 0; i < MAX_CALLOUTS; i++) {
        if (!g_callouts[i].live) {
            memset(&g_callouts[i], 0, sizeof(g_callouts[i]));
            g_callouts[i].live = TRUE;
            g_callouts[i].id = g_next_callout_id++;
            g_callouts[i].callout = *callout;
            *id = g_callouts[i].id;
            UNLOCK();
            return STATUS_SUCCESS;
        }
    }
    UNLOCK();
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS FwpsCalloutUnregisterById0(const UINT32 id)
{
    NTSTATUS status = fake_record_call("FwpsCalloutUnregisterById0");
    callout_slot *c;
    int i, busy = 0;
    if (!NT_SUCCESS(status)) return status;
    LOCK();
    c = callout_by_id(id);
    if (c == NULL) {
        UNLOCK();
        return STATUS_NOT_FOUND;
    }
    for (i = 0; i < MAX_ASSOC; i++) busy += g_assoc[i].live && g_assoc[i].callout_id == id;
    if (busy > 0) g_busy_with_contexts++; /* the real engine: STATUS_DEVICE_BUSY while a flow holds a context */
    busy += c->in_flight;
    if (busy > 0 || g_unregister_busy_times > 0) {
        if (g_unregister_busy_times > 0) g_unregister_busy_times--;
        UNLOCK();
        return STATUS_DEVICE_BUSY;
    }
    c->live = FALSE;
    UNLOCK();
    return STATUS_SUCCESS;
}

NTSTATUS FwpsFlowAssociateContext0(UINT64 flow, UINT16 layer, UINT32 callout_id, UINT64 context)
{
    NTSTATUS status;
    int i;
    if (g_associate_hook != NULL) g_associate_hook();
    status = fake_record_call("FwpsFlowAssociateContext0");
    if (!NT_SUCCESS(status)) return status;
    if (context == 0) return STATUS_INVALID_PARAMETER;
    LOCK();
    if (callout_by_id(callout_id) == NULL) {
        UNLOCK();
        return STATUS_NOT_FOUND;
    }
    for (i = 0; i < MAX_ASSOC; i++) {
        if (g_assoc[i].live && g_assoc[i].flow == flow && g_assoc[i].layer == layer && g_assoc[i].callout_id == callout_id) {
            UNLOCK();
            fake_violation("context associated twice with the same flow, layer and callout");
            return STATUS_UNSUCCESSFUL;
        }
    }
    for (i = 0; i < MAX_ASSOC; i++) {
        if (!g_assoc[i].live) {
            g_assoc[i] = (assoc_slot){TRUE, FALSE, flow, layer, callout_id, context, 0};
            UNLOCK();
            return STATUS_SUCCESS;
        }
    }
    UNLOCK();
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS FwpsFlowRemoveContext0(UINT64 flow, UINT16 layer, UINT32 callout_id)
{
    NTSTATUS status = fake_record_call("FwpsFlowRemoveContext0");
    deletion d[1];
    int i, n = 0;
    if (!NT_SUCCESS(status)) return status;
    if (fake_locks_held() > 0) fake_violation("FwpsFlowRemoveContext0 called with a spin lock held");
    LOCK();
    for (i = 0; i < MAX_ASSOC; i++) {
        assoc_slot *a = &g_assoc[i];
        if (a->live && !a->pending_removal && a->flow == flow && a->layer == layer && a->callout_id == callout_id) {
            if (g_remove_pending_mode || a->in_flight > 0) {
                a->pending_removal = TRUE; /* flowDeleteFn follows asynchronously */
                a->pended_us = fake_now_us();
                UNLOCK();
                return STATUS_PENDING;
            }
            end_association(a, d, &n);
            UNLOCK();
            run_deletions(d, n); /* synchronously, before returning STATUS_SUCCESS */
            return STATUS_SUCCESS;
        }
    }
    UNLOCK();
    return STATUS_UNSUCCESSFUL; /* no context associated */
}

void fake_wfp_complete_pending(void)
{
    deletion d[MAX_DELETIONS];
    int i, n = 0;
    LOCK();
    for (i = 0; i < MAX_ASSOC && n < MAX_DELETIONS; i++) {
        if (pending_due(&g_assoc[i])) end_association(&g_assoc[i], d, &n);
    }
    UNLOCK();
    run_deletions(d, n);
}

int fake_classify(UINT16 layer_id, const FWPS_INCOMING_VALUES0 *values, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                  void *layer_data, UINT64 flow_handle)
{
    int i, j, n = 0;
    filter_slot *f = NULL;
    callout_slot *c;
    assoc_slot *a = NULL;
    UINT64 context = 0;
    FWPS_CLASSIFY_OUT0 out;
    FWPS_FILTER3 filter;
    FWPS_CALLOUT_CLASSIFY_FN3 classify;
    deletion d[1];

    LOCK();
    for (i = 0; i < MAX_FILTERS && f == NULL; i++) {
        if (g_filters[i].live && !g_filters[i].in_tx && g_filters[i].layer_id == layer_id) f = &g_filters[i];
    }
    c = f != NULL ? callout_by_key(&f->callout_key) : NULL;
    if (c == NULL) {
        UNLOCK();
        return -1; /* no filter, or an inspection filter whose callout is gone: skipped, traffic continues */
    }
    for (j = 0; j < MAX_ASSOC; j++) {
        if (g_assoc[j].live && g_assoc[j].flow == flow_handle && g_assoc[j].layer == layer_id && g_assoc[j].callout_id == c->id) {
            a = &g_assoc[j];
            context = a->context;
        }
    }
    if (a != NULL) a->in_flight++;
    c->in_flight++;
    g_classifies_in_flight++;
    classify = c->callout.classifyFn;
    memset(&filter, 0, sizeof(filter));
    filter.filterId = f->id;
    filter.action.type = f->action;
    filter.action.calloutId = c->id;
    UNLOCK();

    memset(&out, 0, sizeof(out));
    if (g_earlier_filter_blocks) {
        /* A higher-priority filter blocked with a hard decision: the action reads BLOCK and the write right is gone. */
        out.actionType = FWP_ACTION_BLOCK;
        out.rights = 0;
    } else {
        out.actionType = FWP_ACTION_NONE;
        out.rights = FWPS_RIGHT_ACTION_WRITE;
    }
    {
        KIRQL old = fake_raise_to_dispatch(); /* transport and ALE classify may run at DISPATCH_LEVEL */
        if (g_classify_hook != NULL) g_classify_hook(layer_id); /* as if from inside the classify */
        classify(values, meta, layer_data, NULL, &filter, context, &out);
        fake_lower_irql(old);
    }
    if (fake_locks_held() > 0) fake_violation("classify returned holding a spin lock");

    LOCK();
    c->in_flight--;
    g_classifies_in_flight--;
    if (a != NULL && --a->in_flight == 0 && !g_remove_pending_mode && pending_due(a)) {
        end_association(a, d, &n); /* the removal that met this classify completes now */
    }
    UNLOCK();
    run_deletions(d, n);
    return (int)out.actionType;
}

void fake_end_flow(UINT64 flow_handle)
{
    deletion d[MAX_DELETIONS];
    int i, n = 0;
    LOCK();
    for (i = 0; i < MAX_ASSOC && n < MAX_DELETIONS; i++) {
        if (!g_assoc[i].live || g_assoc[i].flow != flow_handle) continue;
        if (g_assoc[i].in_flight > 0) g_assoc[i].pending_removal = TRUE;
        else end_association(&g_assoc[i], d, &n);
    }
    UNLOCK();
    run_deletions(d, n);
}

/* ---- FWPM (one caller at a time, the driver's load or unload; the mutex keeps classify's view consistent) ---- */
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
    LOCK();
    g_engine_open = FALSE;
    if (g_engine_dynamic) {
        /* A dynamic session's objects go with it. */
        for (i = 0; i < MAX_FILTERS; i++) g_filters[i].live = FALSE;
        for (i = 0; i < MAX_CALLOUTS; i++) g_callouts[i].fwpm_added = FALSE;
        g_provider_added = g_sublayer_added = FALSE;
    }
    UNLOCK();
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
    LOCK();
    for (i = 0; i < MAX_FILTERS; i++) g_filters[i].in_tx = FALSE;
    g_in_tx = FALSE;
    UNLOCK();
    return STATUS_SUCCESS;
}

NTSTATUS FwpmTransactionAbort0(HANDLE engine)
{
    int i;
    (void)engine;
    fake_record_call("FwpmTransactionAbort0");
    LOCK();
    for (i = 0; i < MAX_FILTERS; i++) if (g_filters[i].in_tx) g_filters[i].live = FALSE;
    g_in_tx = FALSE;
    g_provider_added = g_sublayer_added = FALSE;
    UNLOCK();
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
    LOCK();
    c = callout_by_key(&callout->calloutKey);
    if (c == NULL) status = STATUS_NOT_FOUND;
    else if (layer_id_of(&callout->applicableLayer) < 0) status = STATUS_INVALID_PARAMETER;
    else {
        c->fwpm_added = TRUE;
        c->fwpm_layer = (UINT16)layer_id_of(&callout->applicableLayer);
    }
    UNLOCK();
    return status;
}

NTSTATUS FwpmFilterAdd0(HANDLE engine, const FWPM_FILTER0 *filter, void *sd, UINT64 *id)
{
    NTSTATUS status = require_tx("FwpmFilterAdd0");
    int i, layer = layer_id_of(&filter->layerKey);
    (void)engine; (void)sd;
    if (!NT_SUCCESS(status)) return status;
    if (layer < 0 || !g_sublayer_added) return STATUS_INVALID_PARAMETER;
    LOCK();
    for (i = 0; i < MAX_FILTERS; i++) {
        if (!g_filters[i].live) {
            g_filters[i] = (filter_slot){TRUE, TRUE, g_next_filter_id++, (UINT16)layer, filter->action.calloutKey, filter->action.type};
            if (id != NULL) *id = g_filters[i].id;
            UNLOCK();
            return STATUS_SUCCESS;
        }
    }
    UNLOCK();
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS FwpmFilterDeleteById0(HANDLE engine, UINT64 id)
{
    int i;
    (void)engine;
    fake_record_call("FwpmFilterDeleteById0");
    LOCK();
    for (i = 0; i < MAX_FILTERS; i++) {
        if (g_filters[i].live && g_filters[i].id == id) {
            g_filters[i].live = FALSE; /* a classify already running is not stopped */
            UNLOCK();
            return STATUS_SUCCESS;
        }
    }
    UNLOCK();
    return STATUS_NOT_FOUND;
}

void fake_driver_image_unmapped(void)
{
    /* What the I/O manager does after DriverUnload returns: the code is gone. Anything WFP can still call is a bugcheck. */
    if (fake_callouts_registered() > 0) fake_violation("driver unloaded with callouts registered: WFP can call freed code");
    if (fake_classifies_in_flight() > 0) fake_violation("driver unloaded while a classify runs in its code");
    if (fake_lookaside_lists_live() > 0) fake_violation("driver unloaded without deleting its lookaside list (a dangling entry in the kernel's list)");
}
