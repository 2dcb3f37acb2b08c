// The load tester's native sender (`--sender native`): sends a prepared open-loop schedule of HTTP/1.1 requests
// and writes when each one was sent and what came back. The Java load tester renders every request's bytes, writes
// the schedule file, runs this program, reads the results file and builds its records from them
// (run/NativeSender.java; file formats there and below). Linux only, libc only.
//
//   native-sender SCHEDULE RESULTS      prints one summary line on stdout, errors on stderr; exit 0, or 2 on bad input
//
// Why C. Issue 19 allows the generator 50 µs of CPU per request. On this kind of VM one thread wake-up alone costs
// 20-37 µs; the Java sender wakes twice per request (once to send, once to read the answer) and runs C1-compiled
// Netty code besides. This program wakes once per request:
//
//   sleep until the next intended send time (epoll_pwait2, nanosecond timeout), then, in that one wake,
//   read every answer that has arrived on any connection (non-blocking recvmsg) and send every request that is due.
//
// An answer read late is still timed right: each socket has SO_TIMESTAMPNS, so recvmsg returns the kernel's arrival
// time of the data it read (SCM_TIMESTAMPNS, CLOCK_REALTIME). An answer's receive time is the timestamp of the read
// that completed it; when no timestamp arrives the read time is used instead, and counted (fallbacks=).
//
// The sleep also wakes on sockets only when something is waiting on them: a connection being opened, a request
// partly written, a request waiting for a free connection, or no send left within FAR_NS (then answers are read as
// they come, so timeouts and the final drain cost nothing extra).
//
// Pool: keep-alive connections, one request in flight each, most recently used idle one first; a new connection
// when none is idle, up to max_connections; beyond that requests wait (FIFO; the wait is send lag). A request's
// timeout runs from the wake that found it due, like the Java client's from its hand-over, and covers waiting,
// connecting, sending and reading. On timeout its connection is closed (the late answer would be
// taken for the next request's).
//
// Clock: CLOCK_REALTIME throughout, because the kernel's receive timestamps are on it. A clock step during a run
// would skew it; runs are minutes long and NTP slews rather than steps.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define FAR_NS 50000000LL  // no send due within 50 ms: also wake on answers
#define READ_CHUNK 65536

enum req_state { R_PENDING, R_WAITING, R_INFLIGHT, R_DONE };
enum outcome { O_RESPONSE = 0, O_TRANSPORT_ERROR = 1, O_TIMEOUT = 2 };
enum conn_state { C_FREE, C_CONNECTING, C_IDLE, C_BUSY };

typedef struct {
  int64_t offset, timeout;  // ns from the start; ns
  uint32_t flags, len;      // flags bit 0: keep the body
  const char *bytes;
  int state, outcome, status, conn, kernel_ts;
  int64_t due, sent, received;  // absolute CLOCK_REALTIME ns; sent -1 until written
  char *head;
  uint32_t head_len;
  char *body;
  uint32_t body_len;
  char error[160];
} request;

typedef struct {
  int fd, state, req;  // req: index in flight, -1 none
  uint32_t written;    // bytes of the request written so far
  char *buf;           // the answer so far (head; and the body when kept)
  uint32_t buf_len, buf_cap;
  int head_done, close_after, until_eof;
  int64_t body_left, body_seen, last_ts;
  uint32_t head_len;
  int want_out;  // registered for EPOLLOUT in the wake set
  int64_t idle_since;
} conn;

static request *reqs;
static uint32_t nreq;
static conn *conns;
static int nconn_slots, max_conns, open_conns, idle_top;
static int slots_used;  // slots [0, slots_used) have been used: the scans stop there, not at max_connections
static int *idle_stack;  // LIFO of idle connection slots
static uint32_t *waitq;  // FIFO of waiting request indices
static uint32_t wq_head, wq_tail;
static int ep_read, ep_wake;   // sockets for EPOLLIN; what the sleep wakes on
static int read_nested;        // ep_read is in ep_wake
static struct sockaddr_storage addr;
static socklen_t addr_len;
static long long wakes, syscalls, fallbacks, opened, done_count;
static char scratch[READ_CHUNK];

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(int code, const char *what) {
  fprintf(stderr, "native-sender: %s\n", what);
  exit(code);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die(1, "out of memory");
  return p;
}

// ---- finishing requests ----

static void finish(uint32_t i, int outcome, int64_t at, const char *error) {
  request *r = &reqs[i];
  if (r->state == R_DONE) return;
  r->state = R_DONE;
  r->outcome = outcome;
  r->received = at;
  if (error) snprintf(r->error, sizeof r->error, "%s", error);
  done_count++;
}

static void close_conn(int c) {
  conn *k = &conns[c];
  if (k->state == C_FREE) return;
  if (k->state == C_IDLE) {  // take it off the idle stack
    for (int j = 0; j < idle_top; j++)
      if (idle_stack[j] == c) {
        idle_stack[j] = idle_stack[--idle_top];
        break;
      }
  }
  close(k->fd);  // also removes it from both epoll sets
  syscalls++;
  k->fd = -1;
  k->state = C_FREE;
  k->req = -1;
  k->want_out = 0;
  open_conns--;
}

static void fail_conn(int c, int outcome, const char *error, int64_t at) {
  int i = conns[c].req;
  close_conn(c);
  if (i >= 0) finish(i, outcome, at, error);
}

// ---- writing ----

static void set_wake_out(int c, int on) {
  conn *k = &conns[c];
  if (k->want_out == on) return;
  struct epoll_event e = {.events = EPOLLOUT, .data.u32 = (uint32_t)c};
  epoll_ctl(ep_wake, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, k->fd, &e);
  syscalls++;
  k->want_out = on;
}

static void write_more(int c) {
  conn *k = &conns[c];
  request *r = &reqs[k->req];
  if (r->sent < 0) r->sent = now_ns();
  while (k->written < r->len) {
    ssize_t n = send(k->fd, r->bytes + k->written, r->len - k->written, MSG_NOSIGNAL | MSG_DONTWAIT);
    syscalls++;
    if (n > 0) {
      k->written += (uint32_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_wake_out(c, 1);
      return;
    } else {
      char msg[120];
      snprintf(msg, sizeof msg, "IOException: send: %s", strerror(errno));
      fail_conn(c, O_TRANSPORT_ERROR, msg, now_ns());
      return;
    }
  }
  set_wake_out(c, 0);
}

static void start_on(int c, uint32_t i) {
  conn *k = &conns[c];
  k->state = C_BUSY;
  k->req = (int)i;
  k->written = 0;
  k->buf_len = 0;
  k->head_done = k->close_after = k->until_eof = 0;
  k->body_left = k->body_seen = 0;
  k->last_ts = 0;
  reqs[i].state = R_INFLIGHT;
  reqs[i].conn = c;
  write_more(c);
}

static void open_for(uint32_t i) {
  int c = 0;
  while (conns[c].state != C_FREE) c++;  // a free slot exists: open_conns < max_conns <= slots
  if (c >= slots_used) slots_used = c + 1;
  conn *k = &conns[c];
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  syscalls++;
  if (fd < 0) {
    char msg[120];
    snprintf(msg, sizeof msg, "IOException: socket: %s", strerror(errno));
    finish(i, O_TRANSPORT_ERROR, now_ns(), msg);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  syscalls += 2;
  memset(k, 0, sizeof *k);
  k->fd = fd;
  k->req = (int)i;
  k->state = C_CONNECTING;
  k->buf = NULL;
  open_conns++;
  opened++;
  reqs[i].state = R_INFLIGHT;
  reqs[i].conn = c;
  reqs[i].sent = now_ns();  // handed to a connection, as the Java client counts it
  struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)c};
  epoll_ctl(ep_read, EPOLL_CTL_ADD, fd, &e);
  syscalls++;
  int rc = connect(fd, (struct sockaddr *)&addr, addr_len);
  syscalls++;
  if (rc == 0) {
    start_on(c, i);
  } else if (errno == EINPROGRESS) {
    set_wake_out(c, 1);
  } else {
    char msg[120];
    snprintf(msg, sizeof msg, "ConnectException: %s", strerror(errno));
    fail_conn(c, O_TRANSPORT_ERROR, msg, now_ns());
  }
}

static void connected(int c) {
  conn *k = &conns[c];
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  syscalls++;
  if (err) {
    char msg[120];
    snprintf(msg, sizeof msg, "ConnectException: %s", strerror(err));
    fail_conn(c, O_TRANSPORT_ERROR, msg, now_ns());
    return;
  }
  uint32_t i = (uint32_t)k->req;
  int64_t sent = reqs[i].sent;
  start_on(c, i);
  reqs[i].sent = sent;
}

// A connection idle for long may have been closed by the server without our noticing (idle connections are read
// only when the sleep wakes on answers): peek before reusing it, and drop it if it has closed.
#define STALE_NS 1000000000LL

static int usable(int c, int64_t now) {
  conn *k = &conns[c];
  if (now - k->idle_since < STALE_NS) return 1;
  char b;
  ssize_t n = recv(k->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  syscalls++;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 1;
  close_conn(c);  // closed, reset, or data nobody asked for
  return 0;
}

static void dispatch(uint32_t i, int64_t now) {
  while (idle_top > 0) {
    int c = idle_stack[--idle_top];
    conns[c].state = C_BUSY;  // off the idle stack, so a close does not search it
    if (usable(c, now)) {
      start_on(c, i);
      return;
    }
  }
  if (open_conns < max_conns) {
    open_for(i);
  } else {
    reqs[i].state = R_WAITING;
    waitq[wq_tail++] = i;
  }
}

static void release(int c) {
  conn *k = &conns[c];
  k->req = -1;
  while (wq_head < wq_tail) {
    uint32_t i = waitq[wq_head++];
    if (reqs[i].state == R_WAITING) {
      start_on(c, i);
      return;
    }
  }
  k->state = C_IDLE;
  k->idle_since = now_ns();
  idle_stack[idle_top++] = c;
}

// Connections freed by a close take waiting requests.
static void refill(void) {
  while (open_conns < max_conns && wq_head < wq_tail) {
    uint32_t i = waitq[wq_head++];
    if (reqs[i].state == R_WAITING) open_for(i);
  }
}

// ---- reading ----

static void append(conn *k, const char *p, uint32_t n) {
  if (k->buf_len + n > k->buf_cap) {
    uint32_t cap = k->buf_cap ? k->buf_cap : 1024;
    while (cap < k->buf_len + n) cap *= 2;
    k->buf = realloc(k->buf, cap);
    if (!k->buf) die(1, "out of memory");
    k->buf_cap = cap;
  }
  memcpy(k->buf + k->buf_len, p, n);
  k->buf_len += n;
}

static int header_is(const char *line, size_t len, const char *name, const char **value, size_t *vlen) {
  size_t n = strlen(name);
  if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0) return 0;
  const char *v = line + n + 1;
  const char *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
  *value = v;
  *vlen = (size_t)(end - v);
  return 1;
}

// Parses the head in k->buf[0..head_len); returns an error message or NULL.
static const char *parse_head(conn *k, request *r) {
  const char *p = k->buf, *end = k->buf + k->head_len;
  if (k->head_len < 12 || strncmp(p, "HTTP/1.", 7) != 0) return "IOException: malformed response status line";
  r->status = atoi(p + 9);
  if (r->status < 100 || r->status > 999) return "IOException: malformed response status";
  int have_length = 0;
  k->close_after = p[7] == '0';  // HTTP/1.0 closes unless asked not to
  const char *line = memchr(p, '\n', (size_t)(end - p));
  while (line && line + 1 < end) {
    line++;
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol) break;
    size_t len = (size_t)(eol - line);
    if (len && line[len - 1] == '\r') len--;
    const char *v;
    size_t vlen;
    if (header_is(line, len, "Content-Length", &v, &vlen)) {
      k->body_left = atoll(v);
      have_length = 1;
    } else if (header_is(line, len, "Transfer-Encoding", &v, &vlen)) {
      if (vlen != 8 || strncasecmp(v, "identity", 8) != 0)
        return "IOException: chunked or streaming response; the native sender reads Content-Length bodies only";
    } else if (header_is(line, len, "Content-Type", &v, &vlen)) {
      if (vlen >= 17 && strncasecmp(v, "text/event-stream", 17) == 0)
        return "IOException: streaming response; the native sender reads Content-Length bodies only";
    } else if (header_is(line, len, "Connection", &v, &vlen)) {
      if (vlen == 5 && strncasecmp(v, "close", 5) == 0) k->close_after = 1;
      if (vlen == 10 && strncasecmp(v, "keep-alive", 10) == 0) k->close_after = 0;
    }
    line = eol;
  }
  if (!have_length) {
    if (r->status == 204 || r->status == 304 || r->status < 200)
      k->body_left = 0;
    else
      k->until_eof = 1;  // no length: the body ends when the server closes
  }
  return NULL;
}

static void complete(int c, int64_t at, int kernel_ts) {
  conn *k = &conns[c];
  uint32_t i = (uint32_t)k->req;
  request *r = &reqs[i];
  r->head = xmalloc(k->head_len);
  memcpy(r->head, k->buf, k->head_len);
  r->head_len = k->head_len;
  if (r->flags & 1) {
    r->body_len = k->buf_len - k->head_len;
    r->body = xmalloc(r->body_len);
    memcpy(r->body, k->buf + k->head_len, r->body_len);
  }
  r->kernel_ts = kernel_ts;
  if (!kernel_ts) fallbacks++;
  finish(i, O_RESPONSE, at, NULL);
  if (k->close_after || k->until_eof) {
    close_conn(c);
  } else {
    release(c);
  }
}

// Consumes n new bytes; returns 1 when the answer is complete.
static int consume(conn *k, request *r, const char *p, uint32_t n, const char **error) {
  if (!k->head_done) {
    uint32_t before = k->buf_len;
    append(k, p, n);
    char *hit = memmem(k->buf + (before > 3 ? before - 3 : 0), k->buf_len - (before > 3 ? before - 3 : 0),
                       "\r\n\r\n", 4);
    if (!hit) return 0;
    k->head_len = (uint32_t)(hit + 4 - k->buf);
    k->head_done = 1;
    *error = parse_head(k, r);
    if (*error) return 0;
    uint32_t extra = k->buf_len - k->head_len;
    k->body_seen = extra;
    if (!(r->flags & 1)) k->buf_len = k->head_len;  // the body is not kept
    if (k->until_eof) return 0;
    if (extra > k->body_left) {
      *error = "IOException: more bytes than the answer's Content-Length";
      return 0;
    }
    k->body_left -= extra;
    return k->body_left == 0;
  }
  if (r->flags & 1) append(k, p, n);
  k->body_seen += n;
  if (k->until_eof) return 0;
  if ((int64_t)n > k->body_left) {
    *error = "IOException: more bytes than the answer's Content-Length";
    return 0;
  }
  k->body_left -= n;
  return k->body_left == 0;
}

// Reads what has arrived on connection c, without blocking.
static void read_conn(int c) {
  conn *k = &conns[c];
  if (k->state == C_CONNECTING) return;  // readable before writable only on failure; the wake set handles it
  for (;;) {
    char control[CMSG_SPACE(sizeof(struct timespec)) * 2];
    struct iovec iov = {.iov_base = scratch, .iov_len = sizeof scratch};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof control};
    ssize_t n = recvmsg(k->fd, &msg, MSG_DONTWAIT);
    syscalls++;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      char m[120];
      snprintf(m, sizeof m, "IOException: %s", strerror(errno));
      fail_conn(c, O_TRANSPORT_ERROR, m, now_ns());
      return;
    }
    if (k->req < 0) {  // an idle connection: the server closed it, or sent what nobody asked for
      close_conn(c);
      return;
    }
    request *r = &reqs[k->req];
    if (n == 0) {
      if (k->head_done && k->until_eof && r->state != R_DONE) {
        complete(c, k->last_ts ? k->last_ts : now_ns(), k->last_ts != 0);
        return;
      }
      fail_conn(c, O_TRANSPORT_ERROR, "IOException: the connection closed before the answer was complete",
                now_ns());
      return;
    }
    int64_t ts = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
        struct timespec t;
        memcpy(&t, CMSG_DATA(cm), sizeof t);
        ts = (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
      }
    }
    k->last_ts = ts;
    const char *error = NULL;
    if (consume(k, r, scratch, (uint32_t)n, &error)) {
      complete(c, ts ? ts : now_ns(), ts != 0);
      return;
    }
    if (error) {
      fail_conn(c, O_TRANSPORT_ERROR, error, now_ns());
      return;
    }
    if ((size_t)n < sizeof scratch) return;  // drained: a short read means nothing more is queued now
  }
}

// Reads every connection that has something to read. With few requests in flight a recvmsg on each busy
// connection costs fewer system calls than asking epoll first (one answer: 1 call instead of 2); epoll is asked
// when many are busy, or when the sleep woke on answers (then idle connections may have closed, and must be read
// or the wake set stays readable).
#define DIRECT_MAX 4

static void harvest(int full) {
  if (!full) {
    int busy = 0;
    for (int c = 0; c < slots_used; c++) busy += conns[c].state == C_BUSY;
    if (busy <= DIRECT_MAX) {
      for (int c = 0; c < slots_used; c++)
        if (conns[c].state == C_BUSY && conns[c].written == reqs[conns[c].req].len) read_conn(c);
      return;
    }
  }
  struct epoll_event ev[64];
  for (;;) {
    int n = epoll_wait(ep_read, ev, 64, 0);
    syscalls++;
    for (int j = 0; j < n; j++) read_conn((int)ev[j].data.u32);
    if (n < 64) return;
  }
}

static void expire(int64_t now) {
  for (int c = 0; c < slots_used; c++) {
    conn *k = &conns[c];
    if ((k->state == C_BUSY || k->state == C_CONNECTING) && k->req >= 0) {
      request *r = &reqs[k->req];
      if (now >= r->due + r->timeout) {
        char msg[120];
        snprintf(msg, sizeof msg, "TimeoutException: no complete answer within %lld ms",
                 (long long)(r->timeout / 1000000));
        fail_conn(c, O_TIMEOUT, msg, now);
      }
    }
  }
  for (uint32_t q = wq_head; q < wq_tail; q++) {
    request *r = &reqs[waitq[q]];
    if (r->state == R_WAITING && now >= r->due + r->timeout) {
      char msg[120];
      snprintf(msg, sizeof msg, "TimeoutException: no complete answer within %lld ms",
               (long long)(r->timeout / 1000000));
      finish(waitq[q], O_TIMEOUT, now, msg);
    }
  }
}

static int64_t earliest_deadline(void) {
  int64_t best = INT64_MAX;
  for (int c = 0; c < slots_used; c++) {
    conn *k = &conns[c];
    if ((k->state == C_BUSY || k->state == C_CONNECTING) && k->req >= 0) {
      int64_t d = reqs[k->req].due + reqs[k->req].timeout;
      if (d < best) best = d;
    }
  }
  for (uint32_t q = wq_head; q < wq_tail; q++) {
    request *r = &reqs[waitq[q]];
    if (r->state == R_WAITING && r->due + r->timeout < best) best = r->due + r->timeout;
  }
  return best;
}

static void nest_read(int on) {
  if (read_nested == on) return;
  struct epoll_event e = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(ep_wake, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, ep_read, &e);
  syscalls++;
  read_nested = on;
}

// ---- files ----

static char *read_file(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(2, "cannot open the schedule file");
  struct stat st;
  if (fstat(fd, &st) < 0) die(2, "cannot stat the schedule file");
  char *data = xmalloc((size_t)st.st_size);
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
    if (n <= 0) die(2, "cannot read the schedule file");
    got += (size_t)n;
  }
  close(fd);
  *size = got;
  return data;
}

static uint32_t u32(const char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static int64_t i64(const char *p) {
  int64_t v;
  memcpy(&v, p, 8);
  return v;
}

// Schedule file, little-endian: "FXNSEND1", u32 count, u32 max_connections, u32 family (4 or 6), u32 port,
// 16 address bytes (IPv4 in the first 4), then per request: i64 offset_ns, i64 timeout_ns, u32 flags, u32 length,
// the request's bytes. Offsets ascend.
static void parse_schedule(const char *data, size_t size) {
  if (size < 40 || memcmp(data, "FXNSEND1", 8) != 0) die(2, "not a schedule file");
  nreq = u32(data + 8);
  max_conns = (int)u32(data + 12);
  uint32_t family = u32(data + 16), port = u32(data + 20);
  if (max_conns < 1 || port == 0 || port > 65535) die(2, "bad schedule header");
  memset(&addr, 0, sizeof addr);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)&addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    memcpy(&a->sin_addr, data + 24, 4);
    addr_len = sizeof *a;
  } else if (family == 6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    memcpy(&a->sin6_addr, data + 24, 16);
    addr_len = sizeof *a;
  } else {
    die(2, "bad address family");
  }
  reqs = calloc(nreq ? nreq : 1, sizeof *reqs);
  if (!reqs) die(1, "out of memory");
  size_t at = 40;
  for (uint32_t i = 0; i < nreq; i++) {
    if (at + 24 > size) die(2, "truncated schedule");
    request *r = &reqs[i];
    r->offset = i64(data + at);
    r->timeout = i64(data + at + 8);
    r->flags = u32(data + at + 16);
    r->len = u32(data + at + 20);
    at += 24;
    if (r->len > size - at) die(2, "truncated schedule");
    r->bytes = data + at;
    at += r->len;
    r->sent = -1;
    r->conn = -1;
    if (i > 0 && r->offset < reqs[i - 1].offset) die(2, "offsets must ascend");
  }
}

static void put(FILE *f, const void *p, size_t n) {
  if (n && fwrite(p, 1, n, f) != n) die(1, "cannot write the results file");
}

static void put_u32(FILE *f, uint32_t v) { put(f, &v, 4); }

static void put_i64(FILE *f, int64_t v) { put(f, &v, 8); }

// Results file, little-endian: "FXNRSLT1", u32 count, then per request in schedule order: u32 outcome
// (0 response, 1 transport error, 2 timeout), u32 status, u32 kernel_timestamp (1 when the receive time came from
// SCM_TIMESTAMPNS), i64 sent_ns and i64 received_ns (from the start; sent -1 when never handed to a connection),
// u32 head length + head, u32 body length + body, u32 error length + error (UTF-8).
static void write_results(const char *path, int64_t start) {
  FILE *f = fopen(path, "wb");
  if (!f) die(1, "cannot open the results file");
  put(f, "FXNRSLT1", 8);
  put_u32(f, nreq);
  for (uint32_t i = 0; i < nreq; i++) {
    request *r = &reqs[i];
    put_u32(f, (uint32_t)r->outcome);
    put_u32(f, (uint32_t)r->status);
    put_u32(f, (uint32_t)r->kernel_ts);
    put_i64(f, r->sent < 0 ? -1 : r->sent - start);
    put_i64(f, r->received - start);
    put_u32(f, r->head_len);
    put(f, r->head, r->head_len);
    put_u32(f, r->body_len);
    put(f, r->body, r->body_len);
    uint32_t elen = (uint32_t)strlen(r->error);
    put_u32(f, elen);
    put(f, r->error, elen);
  }
  if (fclose(f) != 0) die(1, "cannot write the results file");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SCHEDULE RESULTS\n", argv[0]);
    return 2;
  }
  size_t size;
  char *data = read_file(argv[1], &size);
  parse_schedule(data, size);
  nconn_slots = max_conns < (int)nreq ? max_conns : (int)(nreq ? nreq : 1);
  conns = calloc((size_t)nconn_slots, sizeof *conns);
  idle_stack = xmalloc(sizeof(int) * (size_t)nconn_slots);
  waitq = xmalloc(sizeof(uint32_t) * (nreq ? nreq : 1));
  if (!conns) die(1, "out of memory");
  for (int c = 0; c < nconn_slots; c++) {
    conns[c].fd = -1;
    conns[c].req = -1;
  }
  max_conns = nconn_slots;
  ep_read = epoll_create1(EPOLL_CLOEXEC);
  ep_wake = epoll_create1(EPOLL_CLOEXEC);
  if (ep_read < 0 || ep_wake < 0) die(1, "epoll_create1 failed");

  int64_t start = now_ns();
  uint32_t next = 0;
  struct epoll_event ev[64];
  int woke_on_answers = 0;
  for (;;) {
    int64_t now = now_ns();
    harvest(woke_on_answers);
    woke_on_answers = 0;
    // send every request that is due
    while (next < nreq && start + reqs[next].offset <= now) {
      reqs[next].due = now;
      dispatch(next, now);
      next++;
      now = now_ns();
    }
    refill();
    expire(now);
    refill();
    if (next >= nreq && done_count >= nreq) break;

    // sleep until the next send or deadline; also on sockets when something waits on them
    int64_t wake_at = earliest_deadline();
    if (next < nreq && start + reqs[next].offset < wake_at) wake_at = start + reqs[next].offset;
    int far = next >= nreq || start + reqs[next].offset - now > FAR_NS;
    nest_read(far || wq_head < wq_tail);
    int64_t wait = wake_at - now_ns();
    if (wait < 0) wait = 0;
    struct timespec timeout = {.tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL};
    int n = epoll_pwait2(ep_wake, ev, 64, &timeout, NULL);
    syscalls++;
    wakes++;
    for (int j = 0; j < n; j++) {
      uint32_t c = ev[j].data.u32;
      if (c == UINT32_MAX) {  // answers: the harvest at the top reads them
        woke_on_answers = 1;
        continue;
      }
      if (conns[c].state == C_CONNECTING) {
        set_wake_out((int)c, 0);
        connected((int)c);
      } else if (conns[c].state == C_BUSY && conns[c].want_out) {
        write_more((int)c);
      }
    }
  }
  int64_t end = now_ns();

  write_results(argv[2], start);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  long long cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
  printf("native-sender requests=%u wall_ns=%lld cpu_ns=%lld user_ns=%lld sys_ns=%lld wakes=%lld syscalls=%lld "
         "connections=%lld fallbacks=%lld\n",
         nreq, (long long)(end - start), cpu_ns,
         (long long)(ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL),
         (long long)(ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL), wakes, syscalls, opened,
         fallbacks);
  return 0;
}
