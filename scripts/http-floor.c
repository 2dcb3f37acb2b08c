// The overhead measurement's floor: what wrk (1 connection) reads as "overhead" from a server that does nothing but
// its run. It answers every request on one connection, blocking, with a body read from a file (the real server's
// embeddings answer) after a stand-in run of RUN_MS: a loop over an 8 MiB buffer, which evicts the caches as an
// inference run does, timed and sent as X-Inference-Ms. What wrk measures beyond it is the two packets between the
// cores, the wake-ups on both sides and wrk itself: the part of the server's overhead (scripts/bench-slo.sh, step 1)
// that is not the server's. bench-slo prints it beside the server's.
//
//   gcc -O2 -o http-floor scripts/http-floor.c
//   taskset -c 1 ./http-floor PORT BODY_FILE RUN_MS
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// touches one byte per 4160 (past a cache line and a page's stride) until run_ms have passed; returns the time taken
static double stand_in_run(volatile char *buffer, size_t size, double run_ms) {
  static size_t at;
  double start = now_ms();
  while (now_ms() - start < run_ms) {
    for (int k = 0; k < 4096; k++) {
      buffer[at] += 1;
      at = (at + 4160) % size;
    }
  }
  return now_ms() - start;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PORT BODY_FILE RUN_MS\n", argv[0]);
    return 2;
  }
  static char body[1 << 16], in[1 << 16], out[(1 << 16) + 512];
  FILE *f = fopen(argv[2], "rb");
  if (!f) {
    perror(argv[2]);
    return 1;
  }
  size_t body_len = fread(body, 1, sizeof body, f);
  fclose(f);
  double run_ms = atof(argv[3]);
  size_t size = 8 << 20;
  volatile char *buffer = calloc(size, 1);

  int server = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(server, (struct sockaddr *)&address, sizeof address) || listen(server, 16)) {
    perror("bind");
    return 1;
  }
  for (;;) {
    int client = accept(server, 0, 0);
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t have = 0;
    for (;;) {
      ssize_t got = read(client, in + have, sizeof in - have);
      if (got <= 0) {
        break;
      }
      have += got;
      for (;;) { // every whole request in the buffer: its head, then Content-Length bytes
        char *head_end = memmem(in, have, "\r\n\r\n", 4);
        if (!head_end) {
          break;
        }
        char *length = memmem(in, head_end - in, "Content-Length:", 15);
        size_t whole = (head_end - in) + 4 + (length ? strtoul(length + 15, 0, 10) : 0);
        if (have < whole) {
          break;
        }
        double run = stand_in_run(buffer, size, run_ms);
        int n = snprintf(out, sizeof out,
                         "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %zu\r\n"
                         "X-Subnet: full\r\nX-Inference-Ms: %.3f\r\n\r\n",
                         body_len, run);
        memcpy(out + n, body, body_len);
        if (write(client, out, n + body_len) != (ssize_t)(n + body_len)) {
          break;
        }
        memmove(in, in + whole, have - whole);
        have -= whole;
      }
    }
    close(client);
  }
}
