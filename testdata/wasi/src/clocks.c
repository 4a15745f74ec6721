/* Clocks: clock_gettime / clock_getres (clock_time_get / clock_res_get) for CPU-time and
 * wall clocks. Prints only yes/no facts, never values (REALTIME may step back: not checked). */
#include <time.h>
#include "check.h"

static volatile unsigned long sink;

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static void busy(void) {
    for (unsigned long i = 0; i < 30000000UL; i++) sink += i ^ (sink >> 3);
}

static void check_clock(const char *name, clockid_t id, int monotonic) {
    struct timespec a, b, r;
    int ra = clock_gettime(id, &a);
    printf("%s clock_gettime: %s\n", name, ra < 0 ? en(errno) : "ok");
    busy();
    int rb = clock_gettime(id, &b);
    if (monotonic && ra == 0 && rb == 0) printf("%s non-decreasing after busy work: %s\n", name, ns(b) >= ns(a) ? "yes" : "no");
    int rr = clock_getres(id, &r);
    printf("%s clock_getres: %s\n", name, rr < 0 ? en(errno) : "ok");
    if (rr == 0) printf("%s resolution>0: %s\n", name, ns(r) > 0 ? "yes" : "no");
}

int main(void) {
    check_clock("CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID, 1);
    check_clock("CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID, 1);
    check_clock("CLOCK_MONOTONIC", CLOCK_MONOTONIC, 1);
    check_clock("CLOCK_REALTIME", CLOCK_REALTIME, 0);
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    printf("CLOCK_REALTIME after 2020: %s\n", t.tv_sec > 1577836800 ? "yes" : "no");
    __wasi_timestamp_t ts;
    wchk("raw clock_time_get id=4 (invalid)", __wasi_clock_time_get(4, 1, &ts));
    wchk("raw clock_res_get id=4 (invalid)", __wasi_clock_res_get(4, &ts));
    return 0;
}
