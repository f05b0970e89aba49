/*
 * The driver's side of the flow-record cross test: every case of tests/testdata/flow-records.cases, played through the
 * real callouts and mn_flow_stats.c on the fake clock, must write exactly the records the case expects. The collector
 * plays the same file through FlowRecordBuilder (FlowRecordCrossTests), so both implementations of the rule are held
 * to one set of records.
 */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "scenarios.h"

#ifndef MN_FLOW_RECORD_CASES
#error MN_FLOW_RECORD_CASES must name tests/testdata/flow-records.cases (CMakeLists.txt)
#endif

#define LOCAL4 0xC0A8010Au  /* 192.168.1.10 */
#define REMOTE4 0xCB00710Au /* 203.0.113.10 */
#define NOON_100NS 134401680000000000LL /* 2026-11-26T12:00:00Z, in 100 ns since 1601 */
#define MAX_FLOWS 8
#define MAX_LINES 64

typedef struct {
    char name[128];
    char expected[MAX_FLOWS][MAX_LINES][96];
    int expected_count[MAX_FLOWS];
} cross_case;

static UINT64 flow_handle(int flow) { return 0x8000000000000100ULL + (UINT64)flow; }

static void at(long seconds) { fake_set_system_time(NOON_100NS + (LONG64)seconds * 10000000LL); }

static UINT64 field_value(const fake_trace_event *e, const char *name)
{
    const fake_trace_field *f = harness_field(e, name);
    return f != NULL ? f->value : 0xDEADBEEFULL;
}

/* The records the driver wrote, each flow's in order, in the file's words. */
static void compare_records(const cross_case *c)
{
    char actual[MAX_FLOWS][MAX_LINES][96];
    int actual_count[MAX_FLOWS] = {0};
    int i, flow, line;

    for (i = 0; i < fake_trace_count(); i++) {
        const fake_trace_event *e = fake_trace_at(i);
        if (strcmp(e->name, "FlowStats") != 0 && strcmp(e->name, "FlowDeleted") != 0) continue;
        flow = (int)(field_value(e, "FlowId") - flow_handle(0));
        CHECK(flow > 0 && flow < MAX_FLOWS);
        if (flow <= 0 || flow >= MAX_FLOWS || actual_count[flow] >= MAX_LINES) continue;
        snprintf(actual[flow][actual_count[flow]++], 96, "%s %lld %llu %llu %llu %llu", e->name,
                 (long long)((e->time_100ns - NOON_100NS) / 10000000LL),
                 (unsigned long long)field_value(e, "PacketsIn"), (unsigned long long)field_value(e, "BytesIn"),
                 (unsigned long long)field_value(e, "PacketsOut"), (unsigned long long)field_value(e, "BytesOut"));
    }
    for (flow = 1; flow < MAX_FLOWS; flow++) {
        int same = actual_count[flow] == c->expected_count[flow];
        for (line = 0; same && line < actual_count[flow]; line++) same = strcmp(actual[flow][line], c->expected[flow][line]) == 0;
        if (same) continue;
        fprintf(stderr, "case %s, flow %d:\n  expected:\n", c->name, flow);
        for (line = 0; line < c->expected_count[flow]; line++) fprintf(stderr, "    %s\n", c->expected[flow][line]);
        fprintf(stderr, "  the driver wrote:\n");
        for (line = 0; line < actual_count[flow]; line++) fprintf(stderr, "    %s\n", actual[flow][line]);
        g_failures++;
    }
}

/* One step of the case; FALSE for a line this reader does not know (the file and the reader disagree). */
static BOOLEAN play(const char *line, cross_case *c)
{
    long t;
    int flow;
    char direction[8], kind[32];
    unsigned long bytes;
    unsigned long long pin, bin, pout, bout;

    if (sscanf(line, "establish %ld %d", &t, &flow) == 2) {
        at(t);
        harness_establish_v4(flow_handle(flow), 1000 + (UINT32)flow, L"C:\\cross.exe", LOCAL4, (UINT16)(50000 + flow), REMOTE4, 443, 6,
                             FWP_DIRECTION_OUTBOUND);
        return TRUE;
    }
    if (sscanf(line, "packet %ld %d %7s %lu", &t, &flow, direction, &bytes) == 4) {
        at(t);
        /* An outbound TCP segment carries its 20-byte header before the payload, as WFP delivers it. */
        harness_packets_v4(strcmp(direction, "in") == 0, flow_handle(flow), LOCAL4, (UINT16)(50000 + flow), REMOTE4, 443, 6, 1, (UINT32)bytes, 20);
        return TRUE;
    }
    if (sscanf(line, "sweep %ld", &t) == 1) {
        at(t);
        fake_fire_timers(); /* the driver's once-an-interval timer (and its health timer, which writes no flow record) */
        return TRUE;
    }
    if (sscanf(line, "end %ld %d", &t, &flow) == 2) {
        at(t);
        fake_end_flow(flow_handle(flow));
        return TRUE;
    }
    if (sscanf(line, "expect %d %31s %ld %llu %llu %llu %llu", &flow, kind, &t, &pin, &bin, &pout, &bout) == 7 && flow > 0 && flow < MAX_FLOWS &&
        c->expected_count[flow] < MAX_LINES) {
        snprintf(c->expected[flow][c->expected_count[flow]++], 96, "%s %ld %llu %llu %llu %llu", kind, t, pin, bin, pout, bout);
        return TRUE;
    }
    return FALSE;
}

static void finish(cross_case *c, int *cases)
{
    if (c->name[0] == '\0') return;
    compare_records(c);
    harness_unload();
    (*cases)++;
}

void flow_records_match_the_shared_cases(void)
{
    FILE *file = fopen(MN_FLOW_RECORD_CASES, "r");
    char line[256];
    cross_case *c = calloc(1, sizeof(*c));
    int cases = 0;

    CHECK(file != NULL && c != NULL);
    if (file == NULL || c == NULL) goto cleanup;
    while (fgets(line, sizeof(line), file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#') continue;
        if (strncmp(line, "case ", 5) == 0) {
            finish(c, &cases);
            memset(c, 0, sizeof(*c));
            snprintf(c->name, sizeof(c->name), "%s", line + 5);
            fake_reset();
            CHECK(NT_SUCCESS(harness_load()));
            continue;
        }
        if (!play(line, c)) {
            fprintf(stderr, "%s: a line this harness does not read: %s\n", MN_FLOW_RECORD_CASES, line);
            g_failures++;
        }
    }
    finish(c, &cases);
    CHECK(cases >= 5); /* the file was read, not found empty */

cleanup:
    if (file != NULL) fclose(file);
    free(c);
}
