// Keeps one core from halting when idle, for a benchmark's load generator, where the kernel has no cpuidle driver to
// poll with (some VMs: /sys/devices/system/cpu/cpuidle/current_driver is "none", so idle means HLT at once, and a
// halted vCPU hands its physical core to the host). It spins at SCHED_IDLE, the lowest priority there is: any other
// thread that wakes on the core preempts it at once, so the core runs like one with idle=poll, and what the spin
// costs is this process's CPU, not the load generator's. scripts/bench-slo.sh runs it on the client core (see there).
//
//   gcc -O2 -o idle-spin scripts/idle-spin.c && taskset -c 0 ./idle-spin     (until killed)
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>

int main(void) {
  struct sched_param none = {0};
  if (sched_setscheduler(0, SCHED_IDLE, &none) != 0) {
    perror("sched_setscheduler(SCHED_IDLE)");
    return 1;
  }
  for (;;) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();  // tells the CPU (and a hypervisor watching for pause loops) this is a spin
#endif
  }
}
