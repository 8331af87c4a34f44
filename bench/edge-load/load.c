// Load client for the edge benchmark: opens N WebSocket connections from several processes and
// several 127.0.0.x source addresses, then measures, over a fixed window, what a broadcast
// server delivers: frames/s, delivery ratio, tick lag percentiles (send time carried in the frame
// vs receive time, both CLOCK_REALTIME on this machine), the server's CPU per delivered frame
// (utime+stime from /proc/PID/stat) and its resident memory per connection (/proc/PID/status).
//
// Frames are binary: payload bytes 0-7 the tick number, 8-15 the send time in ns (little-endian).
// A frame counts when its send time lies in the window; the children keep reading for a grace
// period after the window so late frames count (with their lag) and missing ones show as loss.
//
// usage: edge-load PORT CONNECTIONS PROCESSES WARMUP_S MEASURE_S SERVER_PID LABEL [RSS_BASE_KB]
// prints one line: label conns frames/s delivered% p50 p99 p99.9 max(ms) cpu-us/frame kB/conn
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS 200000  // lag in 10 µs buckets up to 2 s; the last one holds everything above
#define MAX_CHILDREN 64

typedef struct {
    volatile int64_t window_start_ns, window_end_ns;  // set by the parent once all are connected
    volatile int ready[MAX_CHILDREN];
    volatile int connected[MAX_CHILDREN];
    uint64_t frames[MAX_CHILDREN];
    uint64_t min_tick[MAX_CHILDREN], max_tick[MAX_CHILDREN];
    uint64_t max_lag_ns[MAX_CHILDREN];
    uint32_t histogram[MAX_CHILDREN][BUCKETS];
} shared_t;

typedef struct {
    int fd, state;  // 0 connecting, 1 awaiting 101, 2 open, 3 dead
    unsigned char buf[65536];
    size_t len;
} client_t;

static int64_t realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static const char request[] =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

static void run_child(shared_t *sh, int index, int port, int count, int measure_grace_s) {
    int ep = epoll_create1(0);
    client_t *clients = calloc((size_t)count, sizeof(client_t));
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7F000002u + (uint32_t)(index % 250));  // 127.0.0.2, .3, ...
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(0x7F000001u)};
    int opened = 0;
    for (int i = 0; i < count; i++) {
        client_t *c = &clients[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c->fd < 0) { c->state = 3; continue; }
        if (bind(c->fd, (struct sockaddr *)&src, sizeof src) != 0) { close(c->fd); c->state = 3; continue; }
        connect(c->fd, (struct sockaddr *)&dst, sizeof dst);
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        // Pace connection setup so the server's accept queue is not flooded.
        if (i % 200 == 199) usleep(2000);
    }
    uint64_t frames = 0, min_tick = UINT64_MAX, max_tick = 0, max_lag = 0;
    uint32_t *hist = sh->histogram[index];
    struct epoll_event events[512];
    int64_t give_up = realtime_ns() + 60ll * 1000000000ll;
    for (;;) {
        int64_t now = realtime_ns();
        int64_t end = sh->window_end_ns;
        if (end && now > end + (int64_t)measure_grace_s * 1000000000ll) break;
        if (!end && now > give_up) break;
        int n = epoll_wait(ep, events, 512, 50);
        for (int e = 0; e < n; e++) {
            client_t *c = &clients[events[e].data.u32];
            if (c->state == 0 && (events[e].events & EPOLLOUT)) {
                if (send(c->fd, request, sizeof request - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof request - 1)) { c->state = 3; close(c->fd); continue; }
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[e].data.u32};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                c->state = 1;
                continue;
            }
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
            if (r <= 0) {
                if (r == 0 || (errno != EAGAIN && errno != EINTR)) { if (c->state == 2) opened--; c->state = 3; close(c->fd); }
                continue;
            }
            int64_t received = realtime_ns();
            c->len += (size_t)r;
            size_t off = 0;
            if (c->state == 1) {
                unsigned char *head_end = memmem(c->buf, c->len, "\r\n\r\n", 4);
                if (!head_end) continue;
                if (memcmp(c->buf, "HTTP/1.1 101", 12) != 0) { c->state = 3; close(c->fd); continue; }
                off = (size_t)(head_end - c->buf) + 4;
                c->state = 2;
                opened++;
                sh->connected[index] = opened;
            }
            int64_t ws = sh->window_start_ns, we = sh->window_end_ns;
            while (c->len - off >= 2) {
                size_t plen = c->buf[off + 1] & 0x7f, hlen = 2;
                if (plen == 126) { if (c->len - off < 4) break; plen = (size_t)c->buf[off + 2] << 8 | c->buf[off + 3]; hlen = 4; }
                else if (plen == 127) { c->state = 3; break; }
                if (c->len - off < hlen + plen) break;
                if ((c->buf[off] & 0x0f) == 2 && plen >= 16) {
                    uint64_t tick, sent;
                    memcpy(&tick, c->buf + off + hlen, 8);
                    memcpy(&sent, c->buf + off + hlen + 8, 8);
                    if (we && (int64_t)sent >= ws && (int64_t)sent < we) {
                        frames++;
                        if (tick < min_tick) min_tick = tick;
                        if (tick > max_tick) max_tick = tick;
                        uint64_t lag = received > (int64_t)sent ? (uint64_t)(received - (int64_t)sent) : 0;
                        if (lag > max_lag) max_lag = lag;
                        uint64_t bucket = lag / 10000;
                        hist[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
                    }
                }
                off += hlen + plen;
            }
            memmove(c->buf, c->buf + off, c->len - off);
            c->len -= off;
        }
        if (!sh->ready[index]) {
            int settled = 0;  // open or failed: nothing more will happen to it before the window
            for (int i = 0; i < count; i++) settled += clients[i].state >= 2;
            if (settled == count) sh->ready[index] = 1;
        }
    }
    sh->frames[index] = frames;
    sh->min_tick[index] = min_tick;
    sh->max_tick[index] = max_tick;
    sh->max_lag_ns[index] = max_lag;
    _exit(0);
}

static int64_t cpu_ticks(int pid) {
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char *p = strrchr(text, ')');  // fields after the command name; utime is field 14, stime 15
    if (!p) return -1;
    long long utime = 0, stime = 0;
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        field++;
        if (field == 14) utime = atoll(tok);
        if (field == 15) { stime = atoll(tok); break; }
    }
    return utime + stime;
}

static long rss_kb(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) { kb = atol(line + 6); break; }
    }
    fclose(f);
    return kb;
}

static void sleep_until(int64_t t) {
    int64_t now = realtime_ns();
    if (t > now) { struct timespec ts = {(time_t)((t - now) / 1000000000ll), (long)((t - now) % 1000000000ll)}; nanosleep(&ts, NULL); }
}

int main(int argc, char **argv) {
    if (argc < 8) { fprintf(stderr, "usage: %s PORT CONNECTIONS PROCESSES WARMUP_S MEASURE_S SERVER_PID LABEL [RSS_BASE_KB]\n", argv[0]); return 2; }
    int port = atoi(argv[1]), total = atoi(argv[2]), procs = atoi(argv[3]);
    int warmup = atoi(argv[4]), measure = atoi(argv[5]), server = atoi(argv[6]);
    const char *label = argv[7];
    long rss_base = argc > 8 ? atol(argv[8]) : rss_kb(server);
    if (procs < 1 || procs > MAX_CHILDREN) { fprintf(stderr, "1...%d processes\n", MAX_CHILDREN); return 2; }
    shared_t *sh = mmap(NULL, sizeof(shared_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(sh, 0, sizeof *sh);
    for (int i = 0; i < procs; i++) {
        int count = total / procs + (i < total % procs ? 1 : 0);
        if (fork() == 0) run_child(sh, i, port, count, 2);
    }
    // Wait for every child's connections (or 60 s), then start the window after the warm-up.
    int64_t deadline = realtime_ns() + 60ll * 1000000000ll;
    int connected = 0;
    for (;;) {
        int all = 1;
        connected = 0;
        for (int i = 0; i < procs; i++) { all &= sh->ready[i]; connected += sh->connected[i]; }
        if (all || realtime_ns() > deadline) break;
        usleep(20000);
    }
    int64_t start = realtime_ns() + (int64_t)warmup * 1000000000ll;
    int64_t end = start + (int64_t)measure * 1000000000ll;
    sh->window_start_ns = start;
    sh->window_end_ns = end;
    sleep_until(start);
    int64_t cpu0 = cpu_ticks(server);
    long rss = rss_kb(server);
    sleep_until(end);
    int64_t cpu1 = cpu_ticks(server);
    while (wait(NULL) > 0) {}

    uint64_t frames = 0, min_tick = UINT64_MAX, max_tick = 0, max_lag = 0;
    static uint64_t hist[BUCKETS];
    for (int i = 0; i < procs; i++) {
        frames += sh->frames[i];
        if (sh->frames[i]) {
            if (sh->min_tick[i] < min_tick) min_tick = sh->min_tick[i];
            if (sh->max_tick[i] > max_tick) max_tick = sh->max_tick[i];
        }
        if (sh->max_lag_ns[i] > max_lag) max_lag = sh->max_lag_ns[i];
        for (int b = 0; b < BUCKETS; b++) hist[b] += sh->histogram[i][b];
    }
    connected = 0;
    for (int i = 0; i < procs; i++) connected += sh->connected[i];
    double ticks = frames ? (double)(max_tick - min_tick + 1) : 0;
    double expected = ticks * total;
    double pct[3] = {0.50, 0.99, 0.999}, value[3] = {0, 0, 0};
    for (int q = 0; q < 3; q++) {
        uint64_t target = (uint64_t)(pct[q] * (double)frames), seen = 0;
        for (int b = 0; b < BUCKETS; b++) { seen += hist[b]; if (seen > target) { value[q] = (b + 1) * 0.01; break; } }
    }
    long ticks_per_s = sysconf(_SC_CLK_TCK);
    double cpu_us = (double)(cpu1 - cpu0) * 1e6 / (double)ticks_per_s;
    printf("%-10s %6d/%-6d %10.0f %8.2f%% %8.2f %8.2f %8.2f %8.1f %10.3f %8.1f\n", label, connected, total,
           frames / (double)measure, expected > 0 ? 100.0 * frames / expected : 0.0, value[0], value[1], value[2],
           max_lag / 1e6, frames ? cpu_us / (double)frames : 0.0, total ? (double)(rss - rss_base) / total : 0.0);
    return 0;
}
