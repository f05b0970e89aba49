/*
 * WFP setup and teardown. Keys are fixed GUIDs: with a dynamic session the objects live only as long as the
 * engine handle, so fixed keys cannot collide with a previous load. Filters are FWP_ACTION_CALLOUT_INSPECTION:
 * if the callout is missing WFP skips them, so traffic is never blocked on our account (fail open).
 */
/* INITGUID in this one unit defines the FWPM_LAYER_* GUIDs that fwpmk.h declares. */
#define INITGUID
#include "mn_wdk.h"
#include <guiddef.h>
#include <fwpmk.h>
#include "mn_callouts.h"
#include "mn_flow.h"
#include "mn_wfp.h"

/* {6c1a3f0e-2d4b-4c8e-9a51-7e0b3d9f2a10} */
static const GUID MN_PROVIDER_KEY = {0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x10}};
/* {6c1a3f0e-2d4b-4c8e-9a51-7e0b3d9f2a11} */
static const GUID MN_SUBLAYER_KEY = {0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x11}};

typedef struct mn_callout_definition {
    GUID key;
    const GUID *layer_key;
    FWPS_CALLOUT_CLASSIFY_FN3 classify; /* a function-pointer type in fwpsk.h */
    const wchar_t *name;
} mn_callout_definition;

static const mn_callout_definition k_callouts[MN_CALLOUT_COUNT] = {
    {{0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x20}}, &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4, mn_classify_flow_established, L"MonitorNetwork flow established v4"},
    {{0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x21}}, &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6, mn_classify_flow_established, L"MonitorNetwork flow established v6"},
    {{0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x22}}, &FWPM_LAYER_INBOUND_TRANSPORT_V4, mn_classify_transport, L"MonitorNetwork inbound transport v4"},
    {{0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x23}}, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, mn_classify_transport, L"MonitorNetwork outbound transport v4"},
    {{0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x24}}, &FWPM_LAYER_INBOUND_TRANSPORT_V6, mn_classify_transport, L"MonitorNetwork inbound transport v6"},
    {{0x6c1a3f0e, 0x2d4b, 0x4c8e, {0x9a, 0x51, 0x7e, 0x0b, 0x3d, 0x9f, 0x2a, 0x25}}, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, mn_classify_transport, L"MonitorNetwork outbound transport v6"},
};

typedef struct mn_wfp_state {
    HANDLE engine;
    UINT32 callout_ids[MN_CALLOUT_COUNT]; /* 0 = not registered */
    UINT64 filter_ids[MN_CALLOUT_COUNT];  /* 0 = not added */
} mn_wfp_state;

static mn_wfp_state g_wfp;

/* Unload waits in slices of 10 ms for as long as WFP holds a context or a callout; after 500 slices (5 s) it
   writes one UnloadTimeout naming what it still waits for, and goes on waiting. */
#define MN_UNLOAD_SLICE_100NS (10LL * 1000 * 10)
#define MN_UNLOAD_REPORT_AFTER_SLICES 500

static NTSTATUS mn_register_callouts(_In_ PDEVICE_OBJECT device)
{
    NTSTATUS status = STATUS_SUCCESS;
    mn_transport_callout_ids ids;
    int i;

    for (i = 0; i < MN_CALLOUT_COUNT; i++) {
        FWPS_CALLOUT3 callout;
        RtlZeroMemory(&callout, sizeof(callout));
        callout.calloutKey = k_callouts[i].key;
        callout.classifyFn = k_callouts[i].classify;
        callout.notifyFn = mn_notify;
        callout.flowDeleteFn = mn_flow_delete;
        status = FwpsCalloutRegister3(device, &callout, &g_wfp.callout_ids[i]);
        if (!NT_SUCCESS(status)) {
            g_wfp.callout_ids[i] = 0;
            goto Exit;
        }
    }
    ids.inbound_v4 = g_wfp.callout_ids[2];
    ids.outbound_v4 = g_wfp.callout_ids[3];
    ids.inbound_v6 = g_wfp.callout_ids[4];
    ids.outbound_v6 = g_wfp.callout_ids[5];
    mn_callouts_set_transport_ids(&ids);

Exit:
    return status;
}

static NTSTATUS mn_add_objects(void)
{
    NTSTATUS status;
    BOOLEAN in_transaction = FALSE;
    FWPM_PROVIDER0 provider;
    FWPM_SUBLAYER0 sublayer;
    int i;

    status = FwpmTransactionBegin0(g_wfp.engine, 0);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    in_transaction = TRUE;

    RtlZeroMemory(&provider, sizeof(provider));
    provider.providerKey = MN_PROVIDER_KEY;
    provider.displayData.name = L"MonitorNetwork";
    provider.displayData.description = L"MonitorNetwork network telemetry (inspection only)";
    status = FwpmProviderAdd0(g_wfp.engine, &provider, NULL);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }

    RtlZeroMemory(&sublayer, sizeof(sublayer));
    sublayer.subLayerKey = MN_SUBLAYER_KEY;
    sublayer.displayData.name = L"MonitorNetwork sublayer";
    sublayer.providerKey = (GUID *)&MN_PROVIDER_KEY;
    sublayer.weight = 0; /* lowest: we observe, others decide */
    status = FwpmSubLayerAdd0(g_wfp.engine, &sublayer, NULL);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }

    for (i = 0; i < MN_CALLOUT_COUNT; i++) {
        FWPM_CALLOUT0 callout;
        FWPM_FILTER0 filter;

        RtlZeroMemory(&callout, sizeof(callout));
        callout.calloutKey = k_callouts[i].key;
        callout.displayData.name = (wchar_t *)k_callouts[i].name;
        callout.providerKey = (GUID *)&MN_PROVIDER_KEY;
        callout.applicableLayer = *k_callouts[i].layer_key;
        status = FwpmCalloutAdd0(g_wfp.engine, &callout, NULL, NULL);
        if (!NT_SUCCESS(status)) {
            goto Exit;
        }

        RtlZeroMemory(&filter, sizeof(filter));
        filter.displayData.name = (wchar_t *)k_callouts[i].name;
        filter.providerKey = (GUID *)&MN_PROVIDER_KEY;
        filter.layerKey = *k_callouts[i].layer_key;
        filter.subLayerKey = MN_SUBLAYER_KEY;
        filter.weight.type = FWP_EMPTY; /* let the engine assign */
        filter.numFilterConditions = 0; /* every packet and flow of the layer */
        filter.action.type = FWP_ACTION_CALLOUT_INSPECTION;
        filter.action.calloutKey = k_callouts[i].key;
        status = FwpmFilterAdd0(g_wfp.engine, &filter, NULL, &g_wfp.filter_ids[i]);
        if (!NT_SUCCESS(status)) {
            g_wfp.filter_ids[i] = 0;
            goto Exit;
        }
    }

    status = FwpmTransactionCommit0(g_wfp.engine);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    in_transaction = FALSE;

Exit:
    if (in_transaction) {
        (void)FwpmTransactionAbort0(g_wfp.engine);
        RtlZeroMemory(g_wfp.filter_ids, sizeof(g_wfp.filter_ids)); /* the abort removed them */
    }
    return status;
}

_Use_decl_annotations_
NTSTATUS mn_wfp_start(PDEVICE_OBJECT device)
{
    NTSTATUS status;
    FWPM_SESSION0 session;

    RtlZeroMemory(&g_wfp, sizeof(g_wfp));
    status = mn_register_callouts(device);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }

    RtlZeroMemory(&session, sizeof(session));
    session.flags = FWPM_SESSION_FLAG_DYNAMIC;
    status = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &g_wfp.engine);
    if (!NT_SUCCESS(status)) {
        g_wfp.engine = NULL;
        goto Exit;
    }

    status = mn_add_objects();

Exit:
    if (!NT_SUCCESS(status)) {
        mn_wfp_stop();
    }
    return status;
}

/* Unregisters every registered callout; the number still registered (WFP answered STATUS_DEVICE_BUSY). */
static UINT32 mn_unregister_callouts(void)
{
    UINT32 left = 0;
    int i;

    for (i = 0; i < MN_CALLOUT_COUNT; i++) {
        if (g_wfp.callout_ids[i] != 0) {
            if (FwpsCalloutUnregisterById0(g_wfp.callout_ids[i]) == STATUS_DEVICE_BUSY) {
                left++; /* a flow still holds a context of it, or a classify of it is running */
            } else {
                g_wfp.callout_ids[i] = 0;
            }
        }
    }
    return left;
}

_Use_decl_annotations_
void mn_wfp_stop(void)
{
    BOOLEAN reported = FALSE;
    int slices;
    int i;

    /* 0. No new contexts or associations, even from a classify already running. */
    mn_flows_begin_draining();
    /* 1. No new classifications: delete the filters. (A classify already running goes on.) */
    for (i = 0; i < MN_CALLOUT_COUNT; i++) {
        if (g_wfp.filter_ids[i] != 0) {
            (void)FwpmFilterDeleteById0(g_wfp.engine, g_wfp.filter_ids[i]);
            g_wfp.filter_ids[i] = 0;
        }
    }
    /* 2. Ask WFP to remove every flow context, then unregister the callouts. WFP refuses (BUSY) while a flow still
       holds a context or a classify runs: remove again, wait a slice for the flowDeleteFns, retry. Every context
       must also be freed, since the lookaside list goes next. This waits as long as it takes: giving up would let
       WFP call into an unloaded image, a bugcheck, where waiting only delays the unload. */
    for (slices = 0;; slices++) {
        BOOLEAN contexts_gone;
        UINT32 callouts_left;

        mn_flows_sweep();
        contexts_gone = mn_flows_wait_slice(MN_UNLOAD_SLICE_100NS);
        callouts_left = mn_unregister_callouts(); /* BUSY while a flow holds a context: the next slice sweeps again */
        if (callouts_left == 0 && contexts_gone) {
            break;
        }
        if (contexts_gone) {
            LARGE_INTEGER delay;
            delay.QuadPart = -MN_UNLOAD_SLICE_100NS; /* a classify holds a callout: nothing to wait on but time */
            (void)KeDelayExecutionThread(KernelMode, FALSE, &delay);
        }
        if (!reported && slices >= MN_UNLOAD_REPORT_AFTER_SLICES) {
            mn_trace_unload_timeout(contexts_gone ? MN_UNLOAD_STAGE_CALLOUTS : MN_UNLOAD_STAGE_FLOW_CONTEXTS,
                                    mn_flows_outstanding(), callouts_left);
            reported = TRUE;
        }
    }
    /* 3. Closing the dynamic session removes the provider, sublayer and callout objects. */
    if (g_wfp.engine != NULL) {
        (void)FwpmEngineClose0(g_wfp.engine);
        g_wfp.engine = NULL;
    }
}
