/*
 * The WDK headers every driver source needs, in the order they must come:
 * - NDIS630 before ndis.h: fwpsk.h needs NDIS 6 (NET_BUFFER_LIST), ndis.h derives NDIS_SUPPORT_NDIS6 from a
 *   version macro and forbids defining it directly, and 6.30 is the oldest version ndis.h accepts on ARM64
 *   (x64 silently falls back to NDIS 4.0 without one).
 * - ntifs.h first: before SDK 10.0.19041, TraceLoggingProvider.h uses SID_MAX_SUB_AUTHORITIES, which only ntifs.h
 *   defines. ntifs.h includes ntddk.h.
 */
#pragma once
#ifndef NDIS630
#define NDIS630 1
#endif
#include <ntifs.h>
#ifdef _MSC_VER
#pragma warning(push)
#pragma warning(disable : 4201) /* nameless struct/union in fwpsk.h */
#endif
#include <ndis.h>
#include <fwpsk.h>
#ifdef _MSC_VER
#pragma warning(pop)
#endif
