// What handing work from one thread to another costs on this machine: two threads pass a token back and forth
// through a pair of eventfds, n times, and the wall time is divided by 2n. With both threads on one core it is a
// hand-off between threads that share a core, as the server's event loop and inference worker do with the server on
// one core; with one thread per core, one that wakes another core, as every packet between the load generator and
// the server. scripts/bench-slo.sh prints both.
//
//   gcc -O2 -pthread -o handoff-cost scripts/handoff-cost.c
//   ./handoff-cost 20000 1 1     (both threads on core 1)      ./handoff-cost 20000 0 1     (core 0 and core 1)
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int ping, pong, n;

static void pin(pthread_t thread, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(thread, sizeof set, &set) != 0) {
    fprintf(stderr, "cannot pin a thread to cpu %d\n", cpu);
    exit(2);
  }
}

static void *other(void *unused) {
  uint64_t v;
  for (int i = 0; i < n; i++) {
    if (read(ping, &v, sizeof v) != sizeof v || write(pong, &v, sizeof v) != sizeof v) exit(1);
  }
  return unused;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s round-trips cpu-of-one-thread cpu-of-the-other\n", argv[0]);
    return 2;
  }
  n = atoi(argv[1]);
  int cpu_a = atoi(argv[2]), cpu_b = atoi(argv[3]);
  pin(pthread_self(), cpu_a);
  ping = eventfd(0, 0);
  pong = eventfd(0, 0);
  pthread_t t;
  pthread_create(&t, NULL, other, NULL);
  pin(t, cpu_b);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  uint64_t v = 1;
  for (int i = 0; i < n; i++) {
    if (write(ping, &v, sizeof v) != sizeof v || read(pong, &v, sizeof v) != sizeof v) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  pthread_join(t, NULL);
  double us = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / 1e3;
  printf("HANDOFF us_per_handoff=%.2f round_trips=%d cpus=%d,%d\n", us / (2.0 * n), n, cpu_a, cpu_b);
  return 0;
}
