/*
 * Fake kernel services for the host harness: lookaside lists over calloc with live-pointer tracking (double and
 * foreign frees are violations), spin locks that detect re-entry, events whose waits must already be satisfied
 * (a wait that would block forever is reported as a deadlock), and a call log.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fake_wdk.h"
#include "fake_internal.h"

#define MAX_LIVE 4096
static void *g_live[MAX_LIVE];
static int g_live_count;
static int g_fail_allocations;
static int g_lookasides_live;
static int g_devices_live;
static int g_locks_held;
static int g_violations;
static char g_last_violation[256];

static char g_calls[8192][48];
static int g_call_count;
static struct { char api[48]; int occurrence; } g_failures[16];
static int g_failure_count;

void fake_violation(const char *what)
{
    g_violations++;
    snprintf(g_last_violation, sizeof(g_last_violation), "%s", what);
    fprintf(stderr, "fake kernel: violation: %s\n", what);
}

int fake_violations(void) { return g_violations; }
const char *fake_last_violation(void) { return g_last_violation; }
int fake_locks_held(void) { return g_locks_held; }

void fake_kernel_reset(void)
{
    int i;
    for (i = 0; i < g_live_count; i++) free(g_live[i]);
    g_live_count = 0;
    g_fail_allocations = 0;
    g_lookasides_live = 0;
    g_devices_live = 0;
    g_locks_held = 0;
    g_violations = 0;
    g_last_violation[0] = 0;
    g_call_count = 0;
    g_failure_count = 0;
}

NTSTATUS fake_record_call(const char *api)
{
    int i, seen = 0;
    if (g_call_count < 8192) snprintf(g_calls[g_call_count++], sizeof(g_calls[0]), "%s", api);
    for (i = 0; i < g_call_count; i++) seen += strcmp(g_calls[i], api) == 0;
    for (i = 0; i < g_failure_count; i++) {
        if (strcmp(g_failures[i].api, api) == 0 && g_failures[i].occurrence == seen) return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

void fake_fail_call(const char *api, int occurrence)
{
    snprintf(g_failures[g_failure_count].api, sizeof(g_failures[0].api), "%s", api);
    g_failures[g_failure_count++].occurrence = occurrence;
}

void fake_fail_allocations(int count) { g_fail_allocations = count; }
int fake_call_count(void) { return g_call_count; }
const char *fake_call_at(int index) { return g_calls[index]; }

int fake_call_index(const char *api, int occurrence)
{
    int i, seen = 0;
    for (i = 0; i < g_call_count; i++) {
        if (strcmp(g_calls[i], api) == 0 && ++seen == occurrence) return i;
    }
    return -1;
}

int fake_calls_of(const char *api)
{
    int i, n = 0;
    for (i = 0; i < g_call_count; i++) n += strcmp(g_calls[i], api) == 0;
    return n;
}

int fake_live_allocations(void) { return g_live_count; }
int fake_lookaside_lists_live(void) { return g_lookasides_live; }
int fake_devices_live(void) { return g_devices_live; }

KIRQL KeGetCurrentIrql(void) { return g_locks_held > 0 ? DISPATCH_LEVEL : PASSIVE_LEVEL; }

void KeInitializeSpinLock(PKSPIN_LOCK lock) { *lock = 0; }

void KeAcquireSpinLock(PKSPIN_LOCK lock, PKIRQL old_irql)
{
    if (*lock != 0) fake_violation("spin lock acquired twice (deadlock on a real machine)");
    *old_irql = KeGetCurrentIrql();
    *lock = 1;
    g_locks_held++;
}

void KeReleaseSpinLock(PKSPIN_LOCK lock, KIRQL new_irql)
{
    (void)new_irql;
    if (*lock == 0) fake_violation("spin lock released while not held");
    *lock = 0;
    g_locks_held--;
}

void KeInitializeEvent(PKEVENT event, EVENT_TYPE type, BOOLEAN state) { (void)type; event->signaled = state; }
LONG KeSetEvent(PKEVENT event, LONG increment, BOOLEAN wait) { (void)increment; (void)wait; LONG old = event->signaled; event->signaled = 1; return old; }
void KeClearEvent(PKEVENT event) { event->signaled = 0; }

NTSTATUS KeWaitForSingleObject(PVOID object, KWAIT_REASON reason, KPROCESSOR_MODE mode, BOOLEAN alertable,
                               PLARGE_INTEGER timeout)
{
    PKEVENT event = (PKEVENT)object;
    (void)reason; (void)mode; (void)alertable; (void)timeout;
    fake_record_call("KeWaitForSingleObject");
    if (g_locks_held > 0) fake_violation("wait while holding a spin lock");
    /* Time passes while we wait: the engine finishes deletions it had pended. */
    if (!event->signaled) fake_wfp_complete_pending();
    if (!event->signaled) fake_violation("wait that would never be satisfied (unload would hang)");
    return STATUS_SUCCESS;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE mode, BOOLEAN alertable, PLARGE_INTEGER interval)
{
    (void)mode; (void)alertable; (void)interval;
    fake_record_call("KeDelayExecutionThread");
    fake_wfp_complete_pending();
    return STATUS_SUCCESS;
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
    void *p;
    if (!list->initialized) fake_violation("allocation from an uninitialised lookaside list");
    if (g_fail_allocations > 0) {
        g_fail_allocations--;
        return NULL;
    }
    if (g_live_count >= MAX_LIVE) return NULL;
    p = malloc(list->size);
    memset(p, 0xCD, list->size); /* like pool: not zeroed */
    g_live[g_live_count++] = p;
    list->outstanding++;
    return p;
}

void ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX list, PVOID entry)
{
    int i;
    for (i = 0; i < g_live_count; i++) {
        if (g_live[i] == entry) {
            g_live[i] = g_live[--g_live_count];
            list->outstanding--;
            free(entry);
            return;
        }
    }
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
