/*
 * Test-only stand-in for the NET_BUFFER_LIST / NET_BUFFER accessors the driver uses (ndis/nbl.h in the WDK), with
 * the real ndis.h's version rules, which it must be no kinder than:
 * - some NDIS###  version macro must be defined first. On ARM64 the real header stops with #error without one (x64
 *   silently falls back to NDIS 4.0, where WFP's NET_BUFFER_LIST API does not exist), and 6.30 is ARM64's minimum;
 *   this stand-in applies the ARM64 rule everywhere.
 * - NDIS_SUPPORT_NDIS6 and its kin are derived from that macro and must not be defined directly (ndis.h's header
 *   comment); defining it is refused here.
 */
#pragma once
#include "ntddk.h"

#if defined(NDIS_SUPPORT_NDIS6) && !defined(MN_STANDIN_NDIS_DERIVED)
#error NDIS: NDIS_SUPPORT_NDIS6 is derived by ndis.h; define a version macro (NDIS630 ...) instead
#endif
#if defined(NDIS630) || defined(NDIS640) || defined(NDIS650) || defined(NDIS660) || defined(NDIS670) || \
    defined(NDIS680) || defined(NDIS681) || defined(NDIS682) || defined(NDIS683) || defined(NDIS684) || \
    defined(NDIS685) || defined(NDIS686) || defined(NDIS687) || defined(NDIS688) || defined(NDIS689)
#define MN_STANDIN_NDIS_DERIVED 1
#define NDIS_SUPPORT_NDIS6 1
#define NDIS_SUPPORT_NDIS630 1
#else
#error NDIS: Define version with NDIS### or NDIS###_MINIPORT (see top of NDIS.H); 6.30 is the ARM64 minimum
#endif

typedef struct _NET_BUFFER {
    struct _NET_BUFFER *Next;
    ULONG DataLength;
} NET_BUFFER, *PNET_BUFFER;

typedef struct _NET_BUFFER_LIST {
    struct _NET_BUFFER_LIST *Next;
    PNET_BUFFER FirstNetBuffer;
} NET_BUFFER_LIST, *PNET_BUFFER_LIST;

#define NET_BUFFER_LIST_FIRST_NB(nbl) ((nbl)->FirstNetBuffer)
#define NET_BUFFER_NEXT_NB(nb) ((nb)->Next)
#define NET_BUFFER_DATA_LENGTH(nb) ((nb)->DataLength)
