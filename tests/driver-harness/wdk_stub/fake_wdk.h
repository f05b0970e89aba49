/*
 * The host harness's control panel over the fake kernel, fake WFP engine and fake TraceLogging: scenarios drive
 * classify through the callouts the driver registered (as the real engine would), end flows, inject failures,
 * and inspect what the driver wrote and what it left behind.
 */
#pragma once
/* The harness itself follows the driver's include rules (see driver/src/mn_wdk.h). */
#ifndef NDIS630
#define NDIS630 1
#endif
#include "ntifs.h"
#include "fwpmk.h"
#include "TraceLoggingProvider.h"

/* ---- whole-fake lifecycle ---- */
void fake_reset(void);                     /* forget everything; call before each scenario */
int fake_violations(void);                 /* misuse the real kernel would punish (double free, lock misuse, deadlock) */
const char *fake_last_violation(void);

/* ---- failure injection: the n-th (1-based) call of api fails with STATUS_UNSUCCESSFUL ---- */
void fake_fail_call(const char *api, int occurrence);
void fake_fail_allocations(int count);     /* the next count lookaside allocations return NULL */

/* ---- time and timers ---- */
int fake_timers_set(void);                 /* periodic timers still set (unload must cancel them) */
void fake_fire_timers(void);
/* The system clock KeQuerySystemTimePrecise reads (100 ns since 1601, UTC); fake_reset restarts it at
   2026-11-26T12:00:30Z. Events the driver writes are stamped with it (fake_trace_event.time_100ns). */
void fake_set_system_time(LONG64 time_100ns);
void fake_advance_time_ms(LONG64 ms);
LONG64 fake_system_time(void);               /* runs each set timer's DPC once, at DISPATCH_LEVEL, as its period expiring */

/* After DriverUnload returns: a violation for every callout still registered, classify in flight or lookaside list
   left, since Windows unmaps the image next. harness_unload calls it. */
void fake_driver_image_unmapped(void);

/* ---- call log, for ordering checks ---- */
int fake_call_count(void);
const char *fake_call_at(int index);
int fake_call_index(const char *api, int occurrence); /* index of the n-th call of api, or -1 */
int fake_calls_of(const char *api);

/* ---- kernel ---- */
int fake_live_allocations(void);
int fake_lookaside_lists_live(void);
int fake_devices_live(void);

/* ---- WFP engine ---- */
int fake_callouts_registered(void);
int fake_filters_live(void);
int fake_filters_with_action(FWP_ACTION_TYPE action);
int fake_engine_open(void);
int fake_engine_was_dynamic(void);
int fake_associations_live(void);
void fake_set_remove_context_pending(int pending); /* FwpsFlowRemoveContext0 answers STATUS_PENDING, deletes later */
void fake_set_unregister_busy_times(int times);    /* FwpsCalloutUnregisterById0 answers BUSY this many times */
void fake_set_pending_delay_ms(int ms);   /* a pended removal's flowDeleteFn comes this long (real time) after it */
void fake_set_earlier_filter_blocks(int blocks); /* classify sees a hard BLOCK from a higher-priority filter */
/* Called inside fake_classify, before the driver's classify, with the classify counted as in flight. */
void fake_set_classify_hook(void (*hook)(UINT16 layer_id));
int fake_classifies_in_flight(void);
int fake_unregister_busy_with_contexts(void); /* BUSY answers given while a flow still held a context */
/* Called at the start of every FwpsFlowAssociateContext0, before the engine looks at anything (race scenarios). */
void fake_set_associate_hook(void (*hook)(void));

/* Runs the layer's classify as the engine would: only if a filter for the layer exists, passing the context
   associated with (flow_handle, layer) if any. Returns the action the driver left, or -1 if no callout ran. */
int fake_classify(UINT16 layer_id, const FWPS_INCOMING_VALUES0 *values, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                  void *layer_data, UINT64 flow_handle);
/* The flow ends: the engine calls flowDeleteFn for every context still associated with it. */
void fake_end_flow(UINT64 flow_handle);

/* ---- TraceLogging capture ---- */
#define FAKE_MAX_FIELDS 16
typedef struct fake_trace_field {
    mn_tl_kind kind;
    char name[64];
    uint64_t value;
    uint8_t bytes[16];
    uint16_t text[1024];
    uint16_t count;
} fake_trace_field;

typedef struct fake_trace_event {
    char provider[64];
    GUID provider_guid;
    char name[64];
    int level;      /* -1 when the write gave none */
    int64_t keyword; /* -1 when the write gave none */
    LONG64 time_100ns; /* the fake clock when it was written */
    int field_count;
    fake_trace_field fields[FAKE_MAX_FIELDS];
} fake_trace_event;

void fake_trace_enable(UCHAR level, ULONGLONG keywords); /* level 0 = no session listening */
int fake_trace_registered(void);
int fake_trace_count(void);
const fake_trace_event *fake_trace_at(int index);
int fake_trace_count_named(const char *name);
int fake_trace_writes_not_enabled(void); /* writes the driver built although no session wanted them */
