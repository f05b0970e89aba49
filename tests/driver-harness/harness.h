/* The harness's scenario helpers and check macros. Every scenario returns the number of failed checks. */
#pragma once
#include <stdio.h>
#include "fake_wdk.h"

extern int g_failures;
#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            g_failures++;                                                              \
        }                                                                              \
    } while (0)
#define CHECK_EQ(a, b)                                                                                   \
    do {                                                                                                 \
        unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b);                   \
        if (_a != _b) {                                                                                  \
            fprintf(stderr, "%s:%d: %s == %s failed: %llu != %llu\n", __FILE__, __LINE__, #a, #b, _a, _b); \
            g_failures++;                                                                                \
        }                                                                                                \
    } while (0)

typedef struct contract_field { const char *name; const char *type; } contract_field;
typedef struct contract_event {
    const char *name;
    unsigned long long keyword;
    int level;
    int field_count;
    contract_field fields[16];
} contract_event;

/* After an unload or a failed load: nothing of the driver's is left (contexts, associations, callouts, filters,
   engine, lookaside list, device, provider registration). */
void harness_check_nothing_left(void);

/* Load and unload the driver through its real DriverEntry and DriverUnload. */
NTSTATUS harness_load(void);
void harness_unload(void);

/* ALE_FLOW_ESTABLISHED (v4 addresses in host order, as WFP delivers them). */
int harness_establish_v4(UINT64 flow, UINT32 pid, const wchar_t *path, UINT32 local, UINT16 lport, UINT32 remote,
                         UINT16 rport, UINT8 protocol, UINT32 direction);
int harness_establish_v6(UINT64 flow, UINT32 pid, const wchar_t *path, const UINT8 local[16], UINT16 lport,
                         const UINT8 remote[16], UINT16 rport, UINT8 protocol, UINT32 direction);
/* Same, with explicit metadata flags (to leave fields out). */
int harness_establish_v4_meta(UINT64 flow, UINT32 metadata_flags, UINT32 pid, const wchar_t *path);

/* A transport-layer NBL of `count` packets of `bytes` each (payload; outbound adds header_bytes of header). */
int harness_packets_v4(BOOLEAN inbound, UINT64 flow, UINT32 local, UINT16 lport, UINT32 remote, UINT16 rport,
                       UINT8 protocol, int count, UINT32 bytes, UINT32 header_bytes);
int harness_packets_v6(BOOLEAN inbound, UINT64 flow, const UINT8 local[16], UINT16 lport, const UINT8 remote[16],
                       UINT16 rport, UINT8 protocol, int count, UINT32 bytes);

/* A transport-layer NBL of `count` NET_BUFFERs of `data_length` bytes each, laid out by WFP's data-offset rules by
   the caller; the transport header size is given as metadata only when header_known. v6 uses ::1 addresses. */
int harness_packets_raw(BOOLEAN inbound, BOOLEAN v6, UINT64 flow, UINT8 protocol, int count, UINT32 data_length,
                        BOOLEAN header_known, UINT32 header_size);

/* Every captured event checked against schema/events.json (name, provider, level, keyword, field names and types). */
void harness_check_events_against_contract(void);

/* The n-th (0-based) captured event with this name, or NULL. */
const fake_trace_event *harness_event(const char *name, int nth);
const fake_trace_field *harness_field(const fake_trace_event *e, const char *name);
/* UTF-16 field text as ASCII/UTF-8-ish for comparisons of ASCII paths. */
int harness_text_equals(const fake_trace_field *f, const wchar_t *expected);
void harness_v4_mapped(UINT32 host_order, UINT8 out[16]);
