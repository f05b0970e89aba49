/* The periodic timer of mn_periodic.h. */
#include "mn_periodic.h"

_Use_decl_annotations_
void mn_periodic_start(mn_periodic *periodic, PKDEFERRED_ROUTINE routine, LONG period_ms)
{
    LARGE_INTEGER due;

    KeInitializeDpc(&periodic->dpc, routine, NULL);
    KeInitializeTimerEx(&periodic->timer, NotificationTimer);
    due.QuadPart = -10000LL * period_ms; /* relative, in 100 ns units */
    (void)KeSetTimerEx(&periodic->timer, due, period_ms, &periodic->dpc);
    periodic->started = TRUE;
}

_Use_decl_annotations_
void mn_periodic_stop(mn_periodic *periodic)
{
    if (!periodic->started) {
        return;
    }
    (void)KeCancelTimer(&periodic->timer);
    KeFlushQueuedDpcs(); /* a DPC the timer queued before the cancel may still be running */
    periodic->started = FALSE;
}
