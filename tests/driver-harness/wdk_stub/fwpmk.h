/*
 * Test-only stand-in for the management (FWPM) API the driver uses to add its provider, sublayer, callouts and
 * filters in one transaction of a dynamic session. Structure layouts follow
 * learn.microsoft.com/windows/win32/api/fwpmtypes (FWPM_SESSION0, FWPM_PROVIDER0, FWPM_SUBLAYER0, FWPM_CALLOUT0,
 * FWPM_FILTER0) with trailing members the driver does not set omitted. The layer GUID values here are
 * placeholders (the harness only compares them with themselves); the real ones come from fwpmk.h.
 */
#pragma once
#include <wchar.h>
#include "fwpsk.h"

#define RPC_C_AUTHN_WINNT 10
#define FWPM_SESSION_FLAG_DYNAMIC 0x00000001

typedef struct FWPM_DISPLAY_DATA0_ { wchar_t *name; wchar_t *description; } FWPM_DISPLAY_DATA0;

typedef struct FWPM_SESSION0_ {
    GUID sessionKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    UINT32 txnWaitTimeoutInMSec;
} FWPM_SESSION0;

typedef struct FWPM_PROVIDER0_ {
    GUID providerKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    FWP_BYTE_BLOB providerData;
    wchar_t *serviceName;
} FWPM_PROVIDER0;

typedef struct FWPM_SUBLAYER0_ {
    GUID subLayerKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    UINT16 weight;
} FWPM_SUBLAYER0;

typedef struct FWPM_CALLOUT0_ {
    GUID calloutKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    GUID applicableLayer;
    UINT32 calloutId;
} FWPM_CALLOUT0;

typedef struct FWPM_ACTION0_ {
    FWP_ACTION_TYPE type;
    union { GUID filterType; GUID calloutKey; };
} FWPM_ACTION0;

typedef struct FWPM_FILTER0_ {
    GUID filterKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    GUID layerKey;
    GUID subLayerKey;
    FWP_VALUE0 weight;
    UINT32 numFilterConditions;
    void *filterCondition;
    FWPM_ACTION0 action;
    union { UINT64 rawContext; GUID providerContextKey; };
    GUID *reserved;
    UINT64 filterId;
} FWPM_FILTER0;

extern const GUID FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4, FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6,
    FWPM_LAYER_INBOUND_TRANSPORT_V4, FWPM_LAYER_INBOUND_TRANSPORT_V6,
    FWPM_LAYER_OUTBOUND_TRANSPORT_V4, FWPM_LAYER_OUTBOUND_TRANSPORT_V6;

NTSTATUS FwpmEngineOpen0(const wchar_t *serverName, UINT32 authnService, void *authIdentity,
                         const FWPM_SESSION0 *session, HANDLE *engineHandle);
NTSTATUS FwpmEngineClose0(HANDLE engineHandle);
NTSTATUS FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags);
NTSTATUS FwpmTransactionCommit0(HANDLE engineHandle);
NTSTATUS FwpmTransactionAbort0(HANDLE engineHandle);
NTSTATUS FwpmProviderAdd0(HANDLE engineHandle, const FWPM_PROVIDER0 *provider, void *sd);
NTSTATUS FwpmSubLayerAdd0(HANDLE engineHandle, const FWPM_SUBLAYER0 *subLayer, void *sd);
NTSTATUS FwpmCalloutAdd0(HANDLE engineHandle, const FWPM_CALLOUT0 *callout, void *sd, UINT32 *id);
NTSTATUS FwpmFilterAdd0(HANDLE engineHandle, const FWPM_FILTER0 *filter, void *sd, UINT64 *id);
NTSTATUS FwpmFilterDeleteById0(HANDLE engineHandle, UINT64 id);
