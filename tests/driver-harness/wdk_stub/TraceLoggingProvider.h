/*
 * Test-only stand-in for <TraceLoggingProvider.h>. The real macros build an ETW event descriptor at compile time;
 * these build a list of (kind, name, value) arguments and hand it to fake_tracelogging.c, which records every
 * write (event name, level, keyword, field names, field types, order and values) for the harness to check
 * against schema/events.json. Only the macros the driver uses exist, so using any other field type (for
 * example TraceLoggingCountedBinary or TraceLoggingSid, which TDH cannot decode) fails to compile here.
 * Macro names and argument orders follow learn.microsoft.com/windows/win32/api/traceloggingprovider.
 */
#pragma once
#include "ntddk.h"

/* SDKs before 10.0.19041 need ntifs.h before this header (see ntifs.h here); the stand-in keeps that rule. */
#ifndef SID_MAX_SUB_AUTHORITIES
#error TraceLoggingProvider.h: use of undeclared identifier 'SID_MAX_SUB_AUTHORITIES' (include <ntifs.h> first)
#endif

typedef struct mn_tl_provider {
    const char *name;
    GUID guid;
} mn_tl_provider;
typedef const mn_tl_provider *TraceLoggingHProvider;

#define MN_TL_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) {a, b, c, {d0, d1, d2, d3, d4, d5, d6, d7}}
#define TRACELOGGING_DECLARE_PROVIDER(handle) extern TraceLoggingHProvider const handle
#define TRACELOGGING_DEFINE_PROVIDER(handle, provider_name, guid) \
    static const mn_tl_provider handle##_storage = {provider_name, MN_TL_GUID guid}; \
    TraceLoggingHProvider const handle = &handle##_storage

typedef enum mn_tl_kind {
    MN_TL_LEVEL,
    MN_TL_KEYWORD,
    MN_TL_UINT8,
    MN_TL_UINT16,
    MN_TL_UINT32,
    MN_TL_UINT64,
    MN_TL_IPV6_ADDRESS,
    MN_TL_COUNTED_WIDE_STRING,
} mn_tl_kind;

typedef struct mn_tl_arg {
    mn_tl_kind kind;
    const char *name;
    uint64_t value;
    const void *pointer;
    uint16_t count;
} mn_tl_arg;

#define TraceLoggingLevel(level) ((mn_tl_arg){MN_TL_LEVEL, NULL, (uint64_t)(level), NULL, 0})
#define TraceLoggingKeyword(keyword) ((mn_tl_arg){MN_TL_KEYWORD, NULL, (uint64_t)(keyword), NULL, 0})
#define TraceLoggingUInt8(v, name) ((mn_tl_arg){MN_TL_UINT8, (name), (uint64_t)(uint8_t)(v), NULL, 0})
#define TraceLoggingUInt16(v, name) ((mn_tl_arg){MN_TL_UINT16, (name), (uint64_t)(uint16_t)(v), NULL, 0})
#define TraceLoggingUInt32(v, name) ((mn_tl_arg){MN_TL_UINT32, (name), (uint64_t)(uint32_t)(v), NULL, 0})
#define TraceLoggingUInt64(v, name) ((mn_tl_arg){MN_TL_UINT64, (name), (uint64_t)(v), NULL, 0})
#define TraceLoggingIPv6Address(p, name) ((mn_tl_arg){MN_TL_IPV6_ADDRESS, (name), 0, (const void *)(p), 16})
#define TraceLoggingCountedWideString(p, cch, name) \
    ((mn_tl_arg){MN_TL_COUNTED_WIDE_STRING, (name), 0, (const void *)(p), (uint16_t)(cch)})

#define TraceLoggingWrite(provider, event_name, ...) \
    mn_tl_write((provider), (event_name), (const mn_tl_arg[]){__VA_ARGS__}, \
                sizeof((const mn_tl_arg[]){__VA_ARGS__}) / sizeof(mn_tl_arg))

NTSTATUS TraceLoggingRegister(TraceLoggingHProvider provider);
void TraceLoggingUnregister(TraceLoggingHProvider provider);
BOOLEAN TraceLoggingProviderEnabled(TraceLoggingHProvider provider, UCHAR level, ULONGLONG keyword);
void mn_tl_write(TraceLoggingHProvider provider, const char *event_name, const mn_tl_arg *args, size_t count);
