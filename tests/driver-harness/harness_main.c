/* Runs one named scenario (CTest passes the name) or, without an argument, all of them. */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "scenarios.h"

int g_failures;

/* A scenario that hangs (an unload waiting forever, a lock never released) fails instead of stalling CI. */
#define WATCHDOG_SECONDS 240
static void watchdog_expired(int signal_number)
{
    static const char message[] = "watchdog: the scenario did not finish in time (a hang)\n";
    (void)signal_number;
    (void)!write(2, message, sizeof(message) - 1);
    _exit(3);
}

int main(int argc, char **argv)
{
    size_t i;
    int ran = 0;

    signal(SIGALRM, watchdog_expired);
    alarm(WATCHDOG_SECONDS);
    for (i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++) {
        if (argc > 1 && strcmp(argv[1], k_scenarios[i].name) != 0) continue;
        fake_reset();
        k_scenarios[i].run();
        harness_check_events_against_contract(); /* every write of every scenario, not only the contract's own */
        if (fake_violations() != 0) {
            fprintf(stderr, "%s: %d kernel-rule violations, last: %s\n", k_scenarios[i].name, fake_violations(), fake_last_violation());
            g_failures++;
        }
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no scenario named %s\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    if (g_failures != 0) fprintf(stderr, "%d check(s) failed\n", g_failures);
    return g_failures == 0 ? 0 : 1;
}
