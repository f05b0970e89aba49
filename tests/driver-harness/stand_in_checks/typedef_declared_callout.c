/* The declaration pattern the first driver used: must NOT compile against the stand-in, as it does not against
   the real fwpsk.h, where FWPS_CALLOUT_CLASSIFY_FN3 is a function-pointer typedef. */
#define NDIS630 1
#include "ntifs.h"
#include "fwpsk.h"

FWPS_CALLOUT_CLASSIFY_FN3 old_classify;

void NTAPI old_classify(const FWPS_INCOMING_VALUES0 *v, const FWPS_INCOMING_METADATA_VALUES0 *m, void *d,
                        const void *c, const FWPS_FILTER3 *f, UINT64 ctx, FWPS_CLASSIFY_OUT0 *out)
{
    (void)v; (void)m; (void)d; (void)c; (void)f; (void)ctx; (void)out;
}
