/*
 * Captures TraceLogging writes. A write is kept only when a session would receive it (registered provider,
 * level and keyword enabled), like ETW; writes built while no session wanted them are counted, because the
 * driver promises to check TraceLoggingProviderEnabled first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "fake_internal.h"

#define MAX_EVENTS 20000
static fake_trace_event *g_events;
static int g_count;
static int g_registered;
static UCHAR g_level;
static ULONGLONG g_keywords;
static int g_writes_not_enabled;
static pthread_mutex_t g_trace_mutex = PTHREAD_MUTEX_INITIALIZER; /* writes come from the race scenarios' threads */

void fake_trace_reset(void)
{
    if (g_events == NULL) g_events = calloc(MAX_EVENTS, sizeof(fake_trace_event));
    g_count = 0;
    g_registered = 0;
    g_level = 5;
    g_keywords = 0x7;
    g_writes_not_enabled = 0;
}

void fake_trace_enable(UCHAR level, ULONGLONG keywords)
{
    g_level = level;
    g_keywords = keywords;
}

int fake_trace_registered(void) { return g_registered; }
int fake_trace_count(void) { return g_count; }
const fake_trace_event *fake_trace_at(int index) { return &g_events[index]; }
int fake_trace_writes_not_enabled(void) { return g_writes_not_enabled; }

int fake_trace_count_named(const char *name)
{
    int i, n = 0;
    for (i = 0; i < g_count; i++) n += strcmp(g_events[i].name, name) == 0;
    return n;
}

NTSTATUS TraceLoggingRegister(TraceLoggingHProvider provider)
{
    NTSTATUS status = fake_record_call("TraceLoggingRegister");
    (void)provider;
    if (!NT_SUCCESS(status)) return status;
    if (g_registered) fake_violation("TraceLoggingRegister twice");
    g_registered = 1;
    return STATUS_SUCCESS;
}

void TraceLoggingUnregister(TraceLoggingHProvider provider)
{
    (void)provider;
    fake_record_call("TraceLoggingUnregister");
    if (!g_registered) fake_violation("TraceLoggingUnregister without register");
    g_registered = 0;
}

BOOLEAN TraceLoggingProviderEnabled(TraceLoggingHProvider provider, UCHAR level, ULONGLONG keyword)
{
    (void)provider;
    return (BOOLEAN)(g_registered && g_level != 0 && level <= g_level && (keyword == 0 || (keyword & g_keywords) != 0));
}

void mn_tl_write(TraceLoggingHProvider provider, const char *event_name, const mn_tl_arg *args, size_t count)
{
    fake_trace_event *e;
    size_t i;
    int level = -1;
    int64_t keyword = -1;

    for (i = 0; i < count; i++) {
        if (args[i].kind == MN_TL_LEVEL) level = (int)args[i].value;
        if (args[i].kind == MN_TL_KEYWORD) keyword = (int64_t)args[i].value;
    }
    if (!TraceLoggingProviderEnabled(provider, (UCHAR)(level < 0 ? 5 : level), (ULONGLONG)(keyword < 0 ? 0 : keyword))) {
        __atomic_add_fetch(&g_writes_not_enabled, 1, __ATOMIC_SEQ_CST);
        return;
    }
    pthread_mutex_lock(&g_trace_mutex);
    if (g_count >= MAX_EVENTS) {
        pthread_mutex_unlock(&g_trace_mutex);
        return;
    }
    e = &g_events[g_count++];
    memset(e, 0, sizeof(*e));
    snprintf(e->provider, sizeof(e->provider), "%s", provider->name);
    e->provider_guid = provider->guid;
    snprintf(e->name, sizeof(e->name), "%s", event_name);
    e->level = level;
    e->keyword = keyword;
    e->time_100ns = fake_system_time();
    for (i = 0; i < count; i++) {
        fake_trace_field *f;
        if (args[i].kind == MN_TL_LEVEL || args[i].kind == MN_TL_KEYWORD) continue;
        if (e->field_count >= FAKE_MAX_FIELDS) break;
        f = &e->fields[e->field_count++];
        f->kind = args[i].kind;
        snprintf(f->name, sizeof(f->name), "%s", args[i].name ? args[i].name : "");
        f->value = args[i].value;
        f->count = args[i].count;
        if (args[i].kind == MN_TL_IPV6_ADDRESS && args[i].pointer != NULL) memcpy(f->bytes, args[i].pointer, 16);
        if (args[i].kind == MN_TL_COUNTED_WIDE_STRING) {
            uint16_t n = args[i].count < 1023 ? args[i].count : 1023;
            if (args[i].pointer != NULL) memcpy(f->text, args[i].pointer, n * sizeof(uint16_t));
            else if (n != 0) fake_violation("counted string with a length but no characters");
            f->count = n;
        }
    }
    pthread_mutex_unlock(&g_trace_mutex);
}

void fake_reset(void)
{
    fake_kernel_reset();
    fake_wfp_reset();
    fake_trace_reset();
}
