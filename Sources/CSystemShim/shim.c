#define _GNU_SOURCE
#include "CSystemShim.h"

#include <netinet/in.h>
#include <pthread.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

const uint32_t ascent_epollin = EPOLLIN;
const uint32_t ascent_epollout = EPOLLOUT;
const uint32_t ascent_epollerr = EPOLLERR;
const uint32_t ascent_epollhup = EPOLLHUP;
const uint32_t ascent_epollrdhup = EPOLLRDHUP;

int ascent_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int control(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

int ascent_epoll_add(int epfd, int fd, uint32_t events, uint64_t token) {
    return control(epfd, EPOLL_CTL_ADD, fd, events, token);
}

int ascent_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token) {
    return control(epfd, EPOLL_CTL_MOD, fd, events, token);
}

int ascent_epoll_remove(int epfd, int fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

int ascent_epoll_wait(int epfd, ascent_epoll_event *out, int capacity, int timeout_ms) {
    // Read into the kernel's packed layout in chunks, then copy out unpacked.
    struct epoll_event buffer[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epfd, buffer, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        out[i].events = buffer[i].events;
        out[i].token = buffer[i].data.u64;
    }
    return count;
}

int ascent_accept(int listen_fd) { return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

int ascent_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void ascent_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
}

void ascent_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t ignored = read(fd, &value, sizeof value);
    (void)ignored;
}

int ascent_set_reuse_port(int fd) {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return -1;
    return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
}

int ascent_set_nodelay(int fd) {
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void ascent_set_thread_name(const char *name) {
    char shortened[16];
    size_t length = 0;
    while (length < 15 && name[length] != 0) { shortened[length] = name[length]; length++; }
    shortened[length] = 0;
    pthread_setname_np(pthread_self(), shortened);
}
