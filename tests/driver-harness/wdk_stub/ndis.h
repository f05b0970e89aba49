/*
 * Test-only stand-in for the NET_BUFFER_LIST / NET_BUFFER accessors the driver uses (ndis/nbl.h in the WDK).
 */
#pragma once
#include "ntddk.h"

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
