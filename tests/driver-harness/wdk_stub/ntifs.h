/*
 * Test-only stand-in for <ntifs.h>: ntddk.h plus the one definition the driver depends on it for. SDKs before
 * 10.0.19041 use SID_MAX_SUB_AUTHORITIES in TraceLoggingProvider.h, and only ntifs.h defines it, so the stand-in
 * TraceLoggingProvider.h refuses to compile without it (the include order those SDKs impose).
 */
#pragma once
#include "ntddk.h"

#define SID_MAX_SUB_AUTHORITIES (15)
