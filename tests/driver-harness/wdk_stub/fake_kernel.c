/*
 * Fake kernel services for the host harness, safe for the race scenarios' threads: lookaside lists over malloc
 * with live-pointer tracking (double and foreign frees are violations), spin locks that really exclude and report
 * re-entry by the same thread, events whose waits must carry a bound (an unbounded wait is a violation: unload
 * must always end), timers whose DPCs a scenario fires, and a call log. Time is compressed tenfold so that the
 * driver's bounded waits expire quickly in the scenarios that make them expire.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "fake_wdk.h"
#include "fake_internal.h"

#define MAX_LIVE 8192
#define MAX_CALLS 16384
#define MAX_TIMERS 4
#define TIME_COMPRESSION 10

static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER; /* guards everything below but the locks */
static void *g_live[MAX_LIVE];
static int g_live_count;
static int g_fail_allocations;
static int g_lookasides_live;
static int g_devices_live;
static int g_violations;
static char g_last_violation[256];
static char g_calls[MAX_CALLS][48];
static int g_call_count;
static struct { char api[48]; int occurrence; } g_failures[16];
static int g_failure_count;
static PKTIMER g_timers[MAX_TIMERS];
/* 2026-11-26T12:00:30Z in 100 ns units since 1601: half a minute into a minute, so intervals are not trivially aligned. */
#define FAKE_CLOCK_START 134401680300000000LL
static volatile LONG64 g_system_time = FAKE_CLOCK_START;

static __thread int t_locks_held;
static __thread int t_in_dpc;
static __thread KIRQL t_irql; /* raised by the fake engine around the callbacks Windows may make at DISPATCH_LEVEL */

/* The highest IRQL each API is documented to accept (learn.microsoft.com, each DDI's Requirements table). */
static const struct { const char *api; KIRQL max; } k_irql_rules[] = {
    {"TraceLoggingRegister", PASSIVE_LEVEL}, {"TraceLoggingUnregister", PASSIVE_LEVEL},
    {"IoCreateDevice", PASSIVE_LEVEL}, {"IoDeleteDevice", PASSIVE_LEVEL},
    {"ExInitializeLookasideListEx", DISPATCH_LEVEL}, {"ExDeleteLookasideListEx", DISPATCH_LEVEL},
    {"FwpsCalloutRegister3", PASSIVE_LEVEL}, {"FwpsCalloutUnregisterById0", PASSIVE_LEVEL},
    {"FwpsFlowAssociateContext0", DISPATCH_LEVEL}, {"FwpsFlowRemoveContext0", DISPATCH_LEVEL},
    {"FwpmEngineOpen0", PASSIVE_LEVEL}, {"FwpmEngineClose0", PASSIVE_LEVEL},
    {"FwpmTransactionBegin0", PASSIVE_LEVEL}, {"FwpmTransactionCommit0", PASSIVE_LEVEL},
    {"FwpmTransactionAbort0", PASSIVE_LEVEL}, {"FwpmProviderAdd0", PASSIVE_LEVEL},
    {"FwpmSubLayerAdd0", PASSIVE_LEVEL}, {"FwpmCalloutAdd0", PASSIVE_LEVEL}, {"FwpmFilterAdd0", PASSIVE_LEVEL},
    {"FwpmFilterDeleteById0", PASSIVE_LEVEL},
    {"KeWaitForSingleObject", APC_LEVEL}, {"KeDelayExecutionThread", APC_LEVEL},
    {"KeSetTimerEx", DISPATCH_LEVEL}, {"KeCancelTimer", DISPATCH_LEVEL}, {"KeFlushQueuedDpcs", PASSIVE_LEVEL},
};

void fake_violation(const char *what)
{
    pthread_mutex_lock(&g_mutex);
    g_violations++;
    snprintf(g_last_violation, sizeof(g_last_violation), "%s", what);
    pthread_mutex_unlock(&g_mutex);
    fprintf(stderr, "fake kernel: violation: %s\n", what);
}

int fake_violations(void) { return __atomic_load_n(&g_violations, __ATOMIC_SEQ_CST); }
const char *fake_last_violation(void) { return g_last_violation; }
int fake_locks_held(void) { return t_locks_held; }

void KeQuerySystemTimePrecise(PLARGE_INTEGER current_time)
{
    current_time->QuadPart = __atomic_load_n(&g_system_time, __ATOMIC_SEQ_CST);
}

void fake_set_system_time(LONG64 time_100ns) { __atomic_store_n(&g_system_time, time_100ns, __ATOMIC_SEQ_CST); }
void fake_advance_time_ms(LONG64 ms) { __atomic_add_fetch(&g_system_time, ms * 10000, __ATOMIC_SEQ_CST); }
LONG64 fake_system_time(void) { return __atomic_load_n(&g_system_time, __ATOMIC_SEQ_CST); }

void fake_kernel_reset(void)
{
    int i;
    __atomic_store_n(&g_system_time, FAKE_CLOCK_START, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < g_live_count; i++) free(g_live[i]);
    g_live_count = 0;
    g_fail_allocations = 0;
    g_lookasides_live = 0;
    g_devices_live = 0;
    g_violations = 0;
    g_last_violation[0] = 0;
    g_call_count = 0;
    g_failure_count = 0;
    memset(g_timers, 0, sizeof(g_timers));
    pthread_mutex_unlock(&g_mutex);
    t_locks_held = 0;
    t_irql = PASSIVE_LEVEL;
}

static void check_irql_rule(const char *api)
{
    size_t i;
    KIRQL now = KeGetCurrentIrql();
    for (i = 0; i < sizeof(k_irql_rules) / sizeof(k_irql_rules[0]); i++) {
        if (strcmp(k_irql_rules[i].api, api) == 0 && now > k_irql_rules[i].max) {
            char what[160];
            snprintf(what, sizeof(what), "%s called at IRQL %d; it requires <= %d (IRQL_NOT_LESS_OR_EQUAL on Windows)", api,
                     now, k_irql_rules[i].max);
            fake_violation(what);
        }
    }
}

KIRQL fake_raise_to_dispatch(void)
{
    KIRQL old = t_irql;
    t_irql = DISPATCH_LEVEL;
    return old;
}

void fake_lower_irql(KIRQL old) { t_irql = old; }

NTSTATUS fake_record_call(const char *api)
{
    int i, seen = 0;
    NTSTATUS status = STATUS_SUCCESS;
    check_irql_rule(api);
    pthread_mutex_lock(&g_mutex);
    if (g_call_count < MAX_CALLS) snprintf(g_calls[g_call_count++], sizeof(g_calls[0]), "%s", api);
    for (i = 0; i < g_call_count; i++) seen += strcmp(g_calls[i], api) == 0;
    for (i = 0; i < g_failure_count; i++) {
        if (strcmp(g_failures[i].api, api) == 0 && g_failures[i].occurrence == seen) status = STATUS_UNSUCCESSFUL;
    }
    pthread_mutex_unlock(&g_mutex);
    return status;
}

void fake_fail_call(const char *api, int occurrence)
{
    pthread_mutex_lock(&g_mutex);
    snprintf(g_failures[g_failure_count].api, sizeof(g_failures[0].api), "%s", api);
    g_failures[g_failure_count++].occurrence = occurrence;
    pthread_mutex_unlock(&g_mutex);
}

void fake_fail_allocations(int count) { g_fail_allocations = count; }
int fake_call_count(void) { return g_call_count; }
const char *fake_call_at(int index) { return g_calls[index]; }

int fake_call_index(const char *api, int occurrence)
{
    int i, seen = 0, found = -1;
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < g_call_count && found < 0; i++) {
        if (strcmp(g_calls[i], api) == 0 && ++seen == occurrence) found = i;
    }
    pthread_mutex_unlock(&g_mutex);
    return found;
}

int fake_calls_of(const char *api)
{
    int i, n = 0;
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < g_call_count; i++) n += strcmp(g_calls[i], api) == 0;
    pthread_mutex_unlock(&g_mutex);
    return n;
}

int fake_live_allocations(void) { return g_live_count; }
int fake_lookaside_lists_live(void) { return g_lookasides_live; }
int fake_devices_live(void) { return g_devices_live; }

KIRQL KeGetCurrentIrql(void) { return t_locks_held > 0 || t_in_dpc || t_irql >= DISPATCH_LEVEL ? DISPATCH_LEVEL : t_irql; }

void KeInitializeSpinLock(PKSPIN_LOCK lock) { __atomic_store_n(lock, 0, __ATOMIC_SEQ_CST); }

static ULONG_PTR self_token(void) { return (ULONG_PTR)pthread_self() | 1u; }

void KeAcquireSpinLock(PKSPIN_LOCK lock, PKIRQL old_irql)
{
    ULONG_PTR self = self_token(), expected = 0;
    if (__atomic_load_n(lock, __ATOMIC_SEQ_CST) == self) {
        fake_violation("spin lock acquired twice by one thread (deadlock on a real machine)");
        *old_irql = KeGetCurrentIrql();
        t_locks_held++;
        return;
    }
    while (!__atomic_compare_exchange_n(lock, &expected, self, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        expected = 0;
        sched_yield();
    }
    *old_irql = KeGetCurrentIrql();
    t_locks_held++;
}

void KeReleaseSpinLock(PKSPIN_LOCK lock, KIRQL new_irql)
{
    (void)new_irql;
    if (__atomic_load_n(lock, __ATOMIC_SEQ_CST) != self_token()) fake_violation("spin lock released by a thread that does not hold it");
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
    t_locks_held--;
}

void KeInitializeEvent(PKEVENT event, EVENT_TYPE type, BOOLEAN state) { (void)type; __atomic_store_n(&event->signaled, state, __ATOMIC_SEQ_CST); }
LONG KeSetEvent(PKEVENT event, LONG increment, BOOLEAN wait) { (void)increment; (void)wait; return __atomic_exchange_n(&event->signaled, 1, __ATOMIC_SEQ_CST); }
void KeClearEvent(PKEVENT event) { __atomic_store_n(&event->signaled, 0, __ATOMIC_SEQ_CST); }

/* Relative 100 ns units (negative), compressed, as a deadline in microseconds of the monotonic clock. */
long long fake_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long compressed_us(const LARGE_INTEGER *interval)
{
    long long hundred_ns = interval->QuadPart < 0 ? -interval->QuadPart : interval->QuadPart;
    return hundred_ns / 10 / TIME_COMPRESSION;
}

NTSTATUS KeWaitForSingleObject(PVOID object, KWAIT_REASON reason, KPROCESSOR_MODE mode, BOOLEAN alertable,
                               PLARGE_INTEGER timeout)
{
    PKEVENT event = (PKEVENT)object;
    long long deadline;
    (void)reason; (void)mode; (void)alertable;
    fake_record_call("KeWaitForSingleObject"); /* checks the IRQL: a bounded wait needs <= APC_LEVEL */
    if (timeout == NULL) {
        fake_violation("unbounded wait: unload could hang forever");
        return STATUS_UNSUCCESSFUL;
    }
    deadline = fake_now_us() + compressed_us(timeout);
    for (;;) {
        /* Time passes while we wait: the engine finishes deletions it had pended. */
        fake_wfp_complete_pending();
        if (__atomic_load_n(&event->signaled, __ATOMIC_SEQ_CST)) return STATUS_SUCCESS;
        if (fake_now_us() >= deadline) return STATUS_TIMEOUT;
        usleep(20);
    }
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE mode, BOOLEAN alertable, PLARGE_INTEGER interval)
{
    (void)mode; (void)alertable;
    fake_record_call("KeDelayExecutionThread"); /* checks the IRQL */
    fake_wfp_complete_pending();
    usleep((useconds_t)compressed_us(interval));
    return STATUS_SUCCESS;
}

void KeInitializeDpc(PRKDPC dpc, PKDEFERRED_ROUTINE routine, PVOID context)
{
    dpc->routine = routine;
    dpc->context = context;
}

void KeInitializeTimerEx(PKTIMER timer, TIMER_TYPE type)
{
    (void)type;
    memset(timer, 0, sizeof(*timer));
    timer->initialized = TRUE;
}

BOOLEAN KeSetTimerEx(PKTIMER timer, LARGE_INTEGER due_time, LONG period, PKDPC dpc)
{
    int i;
    BOOLEAN was_set = timer->set;
    (void)due_time;
    fake_record_call("KeSetTimerEx");
    if (!timer->initialized) fake_violation("timer set before KeInitializeTimerEx");
    timer->set = TRUE;
    timer->period_ms = period;
    timer->dpc = dpc;
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < MAX_TIMERS && !was_set; i++) {
        if (g_timers[i] == NULL) { g_timers[i] = timer; break; }
    }
    pthread_mutex_unlock(&g_mutex);
    return was_set;
}

BOOLEAN KeCancelTimer(PKTIMER timer)
{
    int i;
    BOOLEAN was_set = timer->set;
    fake_record_call("KeCancelTimer");
    timer->set = FALSE;
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < MAX_TIMERS; i++) if (g_timers[i] == timer) g_timers[i] = NULL;
    pthread_mutex_unlock(&g_mutex);
    return was_set;
}

void KeFlushQueuedDpcs(void) { fake_record_call("KeFlushQueuedDpcs"); }

int fake_timers_set(void)
{
    int i, n = 0;
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < MAX_TIMERS; i++) n += g_timers[i] != NULL;
    pthread_mutex_unlock(&g_mutex);
    return n;
}

void fake_fire_timers(void)
{
    PKTIMER due[MAX_TIMERS];
    int i;
    pthread_mutex_lock(&g_mutex);
    memcpy(due, g_timers, sizeof(due));
    pthread_mutex_unlock(&g_mutex);
    for (i = 0; i < MAX_TIMERS; i++) {
        if (due[i] == NULL || !due[i]->set || due[i]->dpc == NULL) continue;
        t_in_dpc = 1;
        due[i]->dpc->routine(due[i]->dpc, due[i]->dpc->context, NULL, NULL);
        t_in_dpc = 0;
    }
}

NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX list, PVOID allocate, PVOID free_fn, POOL_TYPE pool_type,
                                     ULONG flags, SIZE_T size, ULONG tag, USHORT depth)
{
    NTSTATUS status = fake_record_call("ExInitializeLookasideListEx");
    (void)allocate; (void)free_fn; (void)flags; (void)depth;
    if (!NT_SUCCESS(status)) return status;
    if (pool_type != NonPagedPoolNx) fake_violation("flow contexts must come from non-paged NX pool");
    list->size = size;
    list->tag = tag;
    list->outstanding = 0;
    list->initialized = TRUE;
    g_lookasides_live++;
    return STATUS_SUCCESS;
}

PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX list)
{
    void *p = NULL;
    if (!list->initialized) fake_violation("allocation from an uninitialised lookaside list");
    pthread_mutex_lock(&g_mutex);
    if (g_fail_allocations > 0) {
        g_fail_allocations--;
    } else if (g_live_count < MAX_LIVE) {
        p = malloc(list->size);
        memset(p, 0xCD, list->size); /* like pool: not zeroed */
        g_live[g_live_count++] = p;
        list->outstanding++;
    }
    pthread_mutex_unlock(&g_mutex);
    return p;
}

void ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX list, PVOID entry)
{
    int i;
    pthread_mutex_lock(&g_mutex);
    for (i = 0; i < g_live_count; i++) {
        if (g_live[i] == entry) {
            g_live[i] = g_live[--g_live_count];
            list->outstanding--;
            free(entry);
            pthread_mutex_unlock(&g_mutex);
            return;
        }
    }
    pthread_mutex_unlock(&g_mutex);
    fake_violation("free of a context that is not live (double free)");
}

void ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX list)
{
    fake_record_call("ExDeleteLookasideListEx");
    if (list->outstanding != 0) fake_violation("lookaside list deleted with contexts still allocated");
    list->initialized = FALSE;
    g_lookasides_live--;
}

static DEVICE_OBJECT g_device_storage;

NTSTATUS IoCreateDevice(PDRIVER_OBJECT driver, ULONG extension_size, PUNICODE_STRING name, DEVICE_TYPE type,
                        ULONG characteristics, BOOLEAN exclusive, PDEVICE_OBJECT *device)
{
    NTSTATUS status = fake_record_call("IoCreateDevice");
    (void)driver; (void)extension_size; (void)type; (void)characteristics; (void)exclusive;
    if (name != NULL) fake_violation("device created with a name: user mode could open it");
    if (!NT_SUCCESS(status)) return status;
    *device = &g_device_storage;
    g_devices_live++;
    return STATUS_SUCCESS;
}

void IoDeleteDevice(PDEVICE_OBJECT device)
{
    (void)device;
    fake_record_call("IoDeleteDevice");
    g_devices_live--;
}
