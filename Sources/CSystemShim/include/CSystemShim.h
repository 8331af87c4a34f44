// System calls that Swift's Glibc module does not expose (epoll, accept4, eventfd, SO_REUSEPORT,
// TCP_NODELAY), wrapped in plain functions with unpacked types so Swift can call them directly.
#ifndef ASCENT_CSYSTEMSHIM_H
#define ASCENT_CSYSTEMSHIM_H

#include <stdint.h>
#include <stddef.h>

/// One readiness report from epoll: the event bits and the 64-bit token registered with the fd.
/// (struct epoll_event is packed on x86-64, which Swift imports awkwardly; this one is not.)
typedef struct {
    uint32_t events;
    uint64_t token;
} ascent_epoll_event;

/// Event bits, re-exported because the EPOLL* enum values do not import as plain integers.
extern const uint32_t ascent_epollin;
extern const uint32_t ascent_epollout;
extern const uint32_t ascent_epollerr;
extern const uint32_t ascent_epollhup;
extern const uint32_t ascent_epollrdhup;

/// epoll_create1(EPOLL_CLOEXEC); -1 and errno on failure.
int ascent_epoll_create(void);
/// Registers `fd` with `events` and `token`; 0 or -1 and errno.
int ascent_epoll_add(int epfd, int fd, uint32_t events, uint64_t token);
/// Changes the events (and token) of a registered `fd`; 0 or -1 and errno.
int ascent_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token);
/// Removes `fd`; 0 or -1 and errno.
int ascent_epoll_remove(int epfd, int fd);
/// Waits up to `timeout_ms` for at most `capacity` events into `out`; the count, or -1 and errno.
int ascent_epoll_wait(int epfd, ascent_epoll_event *out, int capacity, int timeout_ms);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; the new fd or -1 and errno.
int ascent_accept(int listen_fd);
/// A non-blocking, close-on-exec eventfd starting at 0; -1 and errno on failure.
int ascent_eventfd(void);
/// Adds 1 to the eventfd's counter, waking whoever waits on it.
void ascent_eventfd_signal(int fd);
/// Resets the eventfd's counter to 0 (non-blocking read).
void ascent_eventfd_drain(int fd);

/// Sets SO_REUSEADDR and SO_REUSEPORT on a socket; 0 or -1 and errno.
int ascent_set_reuse_port(int fd);
/// Sets TCP_NODELAY so small frames go out without Nagle's delay; 0 or -1 and errno.
int ascent_set_nodelay(int fd);

/// Names the calling thread (at most 15 bytes are kept), as top -H and /proc/PID/task/*/comm show it.
void ascent_set_thread_name(const char *name);

#endif
