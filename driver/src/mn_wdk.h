/*
 * The WDK headers every driver source needs, in the order they must come: ntddk, then NDIS (fwpsk.h uses
 * NET_BUFFER_LIST and needs an NDIS version), then the WFP callout API.
 */
#pragma once
#ifndef NDIS_SUPPORT_NDIS6
#define NDIS_SUPPORT_NDIS6 1
#endif
#include <ntddk.h>
#ifdef _MSC_VER
#pragma warning(push)
#pragma warning(disable : 4201) /* nameless struct/union in fwpsk.h */
#endif
#include <ndis.h>
#include <fwpsk.h>
#ifdef _MSC_VER
#pragma warning(pop)
#endif
