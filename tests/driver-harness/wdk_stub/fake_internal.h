/* Shared between the fake kernel, WFP engine and TraceLogging; not for scenarios. */
#pragma once
#include "fake_wdk.h"

void fake_violation(const char *what);
NTSTATUS fake_record_call(const char *api); /* logs the call; returns an injected failure if one is due */
int fake_locks_held(void);
void fake_kernel_reset(void);
void fake_wfp_reset(void);
void fake_trace_reset(void);
void fake_wfp_complete_pending(void);
/* The fake engine runs classify and flowDeleteFn at DISPATCH_LEVEL, the highest IRQL Windows may call them at. */
KIRQL fake_raise_to_dispatch(void);
void fake_lower_irql(KIRQL old);
long long fake_now_us(void); /* the monotonic clock the fake's waits use, in microseconds */
