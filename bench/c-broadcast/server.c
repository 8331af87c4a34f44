// A minimal C epoll WebSocket broadcast server: the baseline the Swift edge is measured against.
// One thread, one epoll set, SO_REUSEPORT listener; every tick it encodes one binary frame
// (tick number + CLOCK_REALTIME send time, little-endian, padded) and appends it to every open
// connection's buffer, then writes each buffer once. Client input after the handshake is read
// and discarded. Built by bench/edge.sh with gcc at run time; not part of the Swift package.
//
// usage: c-broadcast PORT [TICKS_PER_SECOND] [PAYLOAD_BYTES]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 65536
#define HIGH_WATER (1 << 20)

typedef struct {
    int open;          // 0 handshake, 1 upgraded
    char head[4096];
    size_t head_len;
    unsigned char *out;
    size_t out_len, out_off, out_cap;
    int watching_out;
} conn_t;

static conn_t *conns[MAX_FDS];
static int open_fds[MAX_FDS];
static int open_count;
static int epfd;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void)sig; stopping = 1; }

static uint64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void drop(int fd) {
    conn_t *c = conns[fd];
    if (!c) return;
    if (c->open) {
        for (int i = 0; i < open_count; i++) {
            if (open_fds[i] == fd) { open_fds[i] = open_fds[--open_count]; break; }
        }
    }
    free(c->out);
    free(c);
    conns[fd] = NULL;
    close(fd);
}

static int append(conn_t *c, const unsigned char *bytes, size_t n) {
    if (c->out_len - c->out_off + n > HIGH_WATER) return -1;
    if (c->out_len + n > c->out_cap) {
        if (c->out_off > 0) {
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        if (c->out_len + n > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap * 2 : 256;
            while (cap < c->out_len + n) cap *= 2;
            c->out = realloc(c->out, cap);
            c->out_cap = cap;
        }
    }
    memcpy(c->out + c->out_len, bytes, n);
    c->out_len += n;
    return 0;
}

static void flush_conn(int fd) {
    conn_t *c = conns[fd];
    while (c->out_off < c->out_len) {
        ssize_t n = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) { c->out_off += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->watching_out) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
                epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
                c->watching_out = 1;
            }
            return;
        }
        drop(fd);
        return;
    }
    c->out_len = c->out_off = 0;
    if (c->watching_out) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
        c->watching_out = 0;
    }
}

static void handshake(int fd) {
    conn_t *c = conns[fd];
    c->head[c->head_len] = 0;
    if (!strstr(c->head, "\r\n\r\n")) {
        if (c->head_len >= sizeof c->head - 1) drop(fd);
        return;
    }
    char *key = strcasestr(c->head, "Sec-WebSocket-Key:");
    if (!key) { drop(fd); return; }
    key += 18;
    while (*key == ' ') key++;
    char *end = strstr(key, "\r\n");
    char joined[128];
    int n = snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)(end - key), key);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((unsigned char *)joined, (size_t)n, digest);
    char accept[64];
    EVP_EncodeBlock((unsigned char *)accept, digest, SHA_DIGEST_LENGTH);
    char response[256];
    int len = snprintf(response, sizeof response,
                       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    append(c, (unsigned char *)response, (size_t)len);
    c->open = 1;
    open_fds[open_count++] = fd;
    flush_conn(fd);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT [TICKS_PER_SECOND] [PAYLOAD_BYTES]\n", argv[0]); return 2; }
    int port = atoi(argv[1]);
    int hz = argc > 2 ? atoi(argv[2]) : 10;
    int payload_bytes = argc > 3 ? atoi(argv[3]) : 40;
    if (payload_bytes < 16 || payload_bytes > 125) { fprintf(stderr, "payload must be 16...125 bytes\n"); return 2; }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 4096) != 0) { perror("bind/listen"); return 1; }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
    printf("c-broadcast listening on %d pid %d\n", port, getpid());
    fflush(stdout);

    uint64_t period = 1000000000ull / (uint64_t)hz;
    uint64_t next_tick = now_ns(CLOCK_MONOTONIC) + period;
    uint64_t tick = 0;
    unsigned char frame[2 + 125];
    struct epoll_event events[256];
    char buf[65536];
    while (!stopping) {
        uint64_t now = now_ns(CLOCK_MONOTONIC);
        int timeout = now >= next_tick ? 0 : (int)((next_tick - now) / 1000000) + 1;
        int n = epoll_wait(epfd, events, 256, timeout);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                for (;;) {
                    int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0) break;
                    if (cfd >= MAX_FDS) { close(cfd); continue; }
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[cfd] = calloc(1, sizeof(conn_t));
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            conn_t *c = conns[fd];
            if (!c) continue;
            if (events[i].events & EPOLLOUT) { flush_conn(fd); if (!conns[fd]) continue; }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r;
                if (!c->open) {
                    r = read(fd, c->head + c->head_len, sizeof c->head - 1 - c->head_len);
                    if (r <= 0) { if (r == 0 || (errno != EAGAIN && errno != EINTR)) drop(fd); continue; }
                    c->head_len += (size_t)r;
                    handshake(fd);
                } else {
                    r = read(fd, buf, sizeof buf);
                    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) drop(fd);
                }
            }
        }
        now = now_ns(CLOCK_MONOTONIC);
        if (now >= next_tick) {
            // Every tick is sent and stamped with the time it was due (as the Swift side's ticker
            // does): skipping late ticks or stamping them late would hide overload from the lag
            // figures. Ticks that fell due together are appended together and flushed with one
            // write per connection, the same coalescing the Swift server does.
            uint64_t realtime = now_ns(CLOCK_REALTIME);
            while (now >= next_tick) {
                uint64_t due = next_tick;
                next_tick += period;
                // Encode once: header, tick, due time on the real-time clock, padding.
                uint64_t sent = realtime - (now - due);
                frame[0] = 0x82;
                frame[1] = (unsigned char)payload_bytes;
                memset(frame + 2, 0x2e, (size_t)payload_bytes);
                memcpy(frame + 2, &tick, 8);
                memcpy(frame + 10, &sent, 8);
                tick++;
                for (int i = 0; i < open_count;) {
                    int fd = open_fds[i];
                    if (append(conns[fd], frame, 2 + (size_t)payload_bytes) != 0) { drop(fd); continue; }
                    i++;
                }
            }
            for (int i = 0; i < open_count;) {
                int fd = open_fds[i];
                conn_t *c = conns[fd];
                if (!c->watching_out) flush_conn(fd);
                if (conns[fd]) i++;
            }
        }
    }
    return 0;
}
