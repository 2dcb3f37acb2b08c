// The CPU one thread wake-up costs on this machine: a thread sleeps in epoll_wait with a timeout, n times, and its own
// CPU time is divided by n. It bounds from below what any load generator pays per request when it wakes once to
// send and once to read the answer (scripts/bench-slo.sh prints it beside the load tester's CPU per request).
//
//   gcc -O2 -o wake-cost scripts/wake-cost.c && ./wake-cost 1000 5     (1000 wake-ups, 5 ms apart)
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>

static double micros(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s wake-ups interval-ms\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[1]), interval = atoi(argv[2]);
  int ep = epoll_create1(0);
  struct epoll_event event;
  double cpu0 = micros(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < n; i++) {
    epoll_wait(ep, &event, 1, interval);  // nothing is registered: every return is a timed wake-up
  }
  printf("WAKE cpu_us_per_wakeup=%.1f wakeups=%d interval_ms=%d\n", (micros(CLOCK_THREAD_CPUTIME_ID) - cpu0) / n, n,
         interval);
  return 0;
}
