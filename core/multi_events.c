/* multi_events.c: curl_multi_socket_action over epoll (level-triggered). */
#include "core/multi_events.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/base/clock.h"

/* Ready events handled per epoll_wait; more simply wait for the next call. */
#define EVENTS_PER_WAIT 128

/* CURLMOPT_SOCKETFUNCTION: libcurl says which events it wants on s. socketp is what
 * curl_multi_assign stored for s: non-NULL once s is in the epoll set. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    struct multi_events *me = userp;
    if (what == CURL_POLL_REMOVE) {
        /* libcurl says so before it closes s; a socket already closed has left the set. */
        if (socketp)
            epoll_ctl(me->epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event ev = {
        .events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
        .data.fd = s,
    };
    if (epoll_ctl(me->epfd, socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev) != 0) {
        me->sock_errno = errno;
        return -1; /* the transfer fails with CURLM_ABORTED_BY_CALLBACK */
    }
    if (!socketp)
        curl_multi_assign(me->multi, s, me);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: when libcurl next needs curl_multi_socket_action(CURL_SOCKET_TIMEOUT);
 * -1 deletes the timer. It must not be called from here. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct multi_events *me = userp;
    me->timer_due_ms = timeout_ms < 0 ? -1 : clock_now_ms() + timeout_ms;
    return 0;
}

int multi_events_init(struct multi_events *me, CURLM *multi, int stop_fd)
{
    *me = (struct multi_events){.stop_fd = stop_fd, .timer_due_ms = -1};
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return -1;
    if (stop_fd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = stop_fd};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, stop_fd, &ev) != 0) {
            int saved = errno;
            close(epfd);
            errno = saved;
            return -1;
        }
    }
    me->multi = multi;
    me->epfd = epfd;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, me);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, me);
    return 0;
}

CURLMcode multi_events_wait(struct multi_events *me, int max_wait_ms)
{
    int timeout = max_wait_ms;
    if (me->timer_due_ms >= 0) {
        int64_t until = me->timer_due_ms - clock_now_ms();
        if (until < timeout)
            timeout = until > 0 ? (int)until : 0;
    }
    struct epoll_event ev[EVENTS_PER_WAIT];
    int n = epoll_wait(me->epfd, ev, EVENTS_PER_WAIT, timeout);
    if (n < 0 && errno != EINTR) /* a signal: its handler wrote to stop_fd, seen next time */
        return CURLM_INTERNAL_ERROR;
    int running;
    for (int i = 0; i < n; i++) {
        if (ev[i].data.fd == me->stop_fd) {
            me->stopped = 1;
            continue;
        }
        int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                    (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                    (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        CURLMcode mc = curl_multi_socket_action(me->multi, ev[i].data.fd, flags, &running);
        if (mc != CURLM_OK)
            return mc;
    }
    /* Each call above also ran the timers that had expired; what is left is run here. */
    if (me->timer_due_ms >= 0 && clock_now_ms() >= me->timer_due_ms) {
        me->timer_due_ms = -1; /* the call sets the next one */
        return curl_multi_socket_action(me->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    return CURLM_OK;
}

void multi_events_cleanup(struct multi_events *me)
{
    if (!me->multi)
        return;
    close(me->epfd);
    me->multi = NULL;
}
