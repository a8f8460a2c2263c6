/* multi_events.h: a libcurl multi handle driven through curl_multi_socket_action and epoll, so
 * that each wake-up costs what happened (the sockets that are ready, the timers that expired)
 * instead of a walk over every transfer in flight, as curl_multi_perform and curl_multi_poll do
 * (libcurl's "multi_socket" API, docs/examples/ephiperfifo.c). */
#ifndef TOKENFLEET_MULTI_EVENTS_H
#define TOKENFLEET_MULTI_EVENTS_H

#include <curl/curl.h>
#include <stdint.h>

struct multi_events {
    CURLM *multi;         /* borrowed; NULL until set up */
    int epfd;             /* the epoll instance, once multi is set */
    int stop_fd;          /* watched for reading; -1 = none */
    int stopped;          /* stop_fd became readable */
    int64_t timer_due_ms; /* CLOCK_MONOTONIC ms when libcurl wants its timers run; -1 = none */
    int sock_errno;       /* why the socket callback failed (epoll_ctl), 0 when it did not */
};

/* Sets up me for multi: an epoll instance, and libcurl's socket and timer callbacks pointing at
 * me (which must stay where it is until multi_events_cleanup). stop_fd (or -1) is watched as
 * well; its becoming readable sets me->stopped. Returns 0, or -1 with errno set. */
int multi_events_init(struct multi_events *me, CURLM *multi, int stop_fd);

/* Waits at most max_wait_ms (less when a libcurl timer is due sooner) for sockets to become
 * ready or stop_fd readable, then hands every ready socket and every expired timer to
 * curl_multi_socket_action. Finished transfers are then on curl_multi_info_read. Returns
 * CURLM_OK, libcurl's error, or CURLM_INTERNAL_ERROR when epoll failed (errno, or
 * me->sock_errno, says why). */
CURLMcode multi_events_wait(struct multi_events *me, int max_wait_ms);

/* Closes the epoll instance. libcurl calls the socket callback while it removes handles and
 * closes connections, so this comes after curl_multi_cleanup. Safe on a zeroed struct, and
 * twice. */
void multi_events_cleanup(struct multi_events *me);

#endif
