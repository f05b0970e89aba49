/* TraceLoggingProvider.h before ntifs.h: SDKs before 10.0.19041 fail on SID_MAX_SUB_AUTHORITIES. */
#include "ntddk.h"
#include "TraceLoggingProvider.h"
