/* emu_sched: a min-heap of wake-up times and a list of parked sockets, served by one ppoll loop. */
#include "emu_sched.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A connection to resume at a given time. */
struct emu_timer {
    int64_t due_ns;              /* monotonic clock */
    struct MHD_Connection *conn; /* suspended until then */
};

/* A connection held until its client hangs up. */
struct emu_parked {
    int fd;                      /* the connection's socket, watched for a hang-up */
    struct MHD_Connection *conn; /* suspended meanwhile */
};

struct emu_sched {
    pthread_mutex_t lock;      /* guards everything below but THREAD and WAKE */
    struct emu_timer *timers;  /* a binary min-heap on DUE_NS */
    size_t ntimers, tcap;      /* used and allocated entries of TIMERS */
    struct emu_parked *parked; /* unordered */
    size_t nparked, pcap;      /* used and allocated entries of PARKED */
    bool stopping;             /* no more suspensions; the thread ends */
    bool joined;               /* the thread is gone and everything was resumed */
    int wake[2];               /* a non-blocking pipe: one byte wakes the thread's ppoll */
    pthread_t thread;          /* runs sched_main */
};

int64_t emu_sched_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void wake_up(struct emu_sched *s)
{
    char b = 0;
    /* A full pipe already wakes the thread, so EAGAIN is fine. */
    while (write(s->wake[1], &b, 1) < 0 && errno == EINTR) {
    }
}

static void drain(struct emu_sched *s)
{
    char buf[64];
    while (read(s->wake[0], buf, sizeof buf) > 0) {
    }
}

static void heap_push(struct emu_sched *s, struct emu_timer t)
{
    size_t i = s->ntimers++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (s->timers[parent].due_ns <= t.due_ns)
            break;
        s->timers[i] = s->timers[parent];
        i = parent;
    }
    s->timers[i] = t;
}

static struct MHD_Connection *heap_pop(struct emu_sched *s)
{
    struct MHD_Connection *top = s->timers[0].conn;
    struct emu_timer last = s->timers[--s->ntimers];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= s->ntimers)
            break;
        if (child + 1 < s->ntimers && s->timers[child + 1].due_ns < s->timers[child].due_ns)
            child++;
        if (last.due_ns <= s->timers[child].due_ns)
            break;
        s->timers[i] = s->timers[child];
        i = child;
    }
    if (s->ntimers > 0)
        s->timers[i] = last;
    return top;
}

/* Makes room for one more element in *V (capacity *CAP, elements of SIZE). Returns false on
 * ENOMEM. */
static bool reserve(void **v, size_t *cap, size_t used, size_t size)
{
    if (used < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *nv = realloc(*v, ncap * size);
    if (nv == NULL)
        return false;
    *v = nv;
    *cap = ncap;
    return true;
}

/* Removes the parked entry of CONN, if still there. Returns true if it was. Lock held. */
static bool unpark(struct emu_sched *s, struct MHD_Connection *conn)
{
    for (size_t i = 0; i < s->nparked; i++) {
        if (s->parked[i].conn == conn) {
            s->parked[i] = s->parked[--s->nparked];
            return true;
        }
    }
    return false;
}

/*
 * The loop: resume what is due, then sleep in ppoll until the next due time, a hang-up on a parked
 * socket or a wake-up byte. MHD_resume_connection is called without the lock held; only this
 * thread removes entries while it runs, so each connection is resumed exactly once.
 */
static void *sched_main(void *arg)
{
    struct emu_sched *s = arg;
    struct pollfd *pfds = NULL;
    struct MHD_Connection **conns = NULL;
    size_t cap = 0;

    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        int64_t now = emu_sched_now_ns();
        if (s->ntimers > 0 && s->timers[0].due_ns <= now) {
            struct MHD_Connection *conn = heap_pop(s);
            pthread_mutex_unlock(&s->lock);
            MHD_resume_connection(conn);
            pthread_mutex_lock(&s->lock);
            continue;
        }
        size_t n = 1 + s->nparked;
        if (n > cap) {
            struct pollfd *np = realloc(pfds, n * sizeof *np);
            if (np != NULL)
                pfds = np;
            struct MHD_Connection **nc = realloc(conns, n * sizeof *nc);
            if (nc != NULL)
                conns = nc;
            if (np != NULL && nc != NULL)
                cap = n;
        }
        /* Out of memory: watch what fits and look again soon. */
        bool short_list = n > cap;
        if (short_list)
            n = cap > 0 ? cap : 1;
        struct pollfd wake = {.fd = s->wake[0], .events = POLLIN};
        struct pollfd *set = cap > 0 ? pfds : &wake;
        set[0] = wake;
        for (size_t i = 1; i < n; i++) {
            set[i] = (struct pollfd){.fd = s->parked[i - 1].fd, .events = POLLRDHUP};
            conns[i] = s->parked[i - 1].conn;
        }
        struct timespec ts;
        const struct timespec *tsp = NULL;
        int64_t wait_ns = -1;
        if (s->ntimers > 0)
            wait_ns = s->timers[0].due_ns - now;
        if (short_list && (wait_ns < 0 || wait_ns > 100000000))
            wait_ns = 100000000;
        if (wait_ns >= 0) {
            ts.tv_sec = (time_t)(wait_ns / 1000000000);
            ts.tv_nsec = (long)(wait_ns % 1000000000);
            tsp = &ts;
        }
        pthread_mutex_unlock(&s->lock);
        int rc = ppoll(set, (nfds_t)n, tsp, NULL);
        pthread_mutex_lock(&s->lock);
        if (rc <= 0)
            continue;
        if (set[0].revents != 0)
            drain(s);
        for (size_t i = 1; i < n; i++) {
            if ((set[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) == 0 ||
                !unpark(s, conns[i]))
                continue;
            pthread_mutex_unlock(&s->lock);
            MHD_resume_connection(conns[i]);
            pthread_mutex_lock(&s->lock);
        }
    }
    pthread_mutex_unlock(&s->lock);
    free(pfds);
    free(conns);
    return NULL;
}

struct emu_sched *emu_sched_new(void)
{
    struct emu_sched *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->wake[0] = s->wake[1] = -1;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    if (pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0 ||
        pthread_create(&s->thread, NULL, sched_main, s) != 0) {
        if (s->wake[0] >= 0) {
            close(s->wake[0]);
            close(s->wake[1]);
        }
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

int emu_sched_sleep_until(struct emu_sched *s, struct MHD_Connection *conn, int64_t due_ns)
{
    pthread_mutex_lock(&s->lock);
    if (s->stopping || !reserve((void **)&s->timers, &s->tcap, s->ntimers, sizeof *s->timers)) {
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    /* Suspended before the thread can see the entry, so no resume ever precedes the suspend. */
    MHD_suspend_connection(conn);
    heap_push(s, (struct emu_timer){.due_ns = due_ns, .conn = conn});
    bool first = s->timers[0].conn == conn;
    pthread_mutex_unlock(&s->lock);
    if (first)
        wake_up(s);
    return 0;
}

int emu_sched_park(struct emu_sched *s, struct MHD_Connection *conn, int fd)
{
    pthread_mutex_lock(&s->lock);
    if (s->stopping || !reserve((void **)&s->parked, &s->pcap, s->nparked, sizeof *s->parked)) {
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    MHD_suspend_connection(conn);
    s->parked[s->nparked++] = (struct emu_parked){.fd = fd, .conn = conn};
    pthread_mutex_unlock(&s->lock);
    wake_up(s);
    return 0;
}

void emu_sched_stop(struct emu_sched *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    bool done = s->joined;
    s->stopping = true;
    pthread_mutex_unlock(&s->lock);
    if (done)
        return;
    wake_up(s);
    pthread_join(s->thread, NULL);
    /* Only this thread touches the lists now: the workers' suspensions are refused. */
    pthread_mutex_lock(&s->lock);
    s->joined = true;
    for (size_t i = 0; i < s->ntimers; i++)
        MHD_resume_connection(s->timers[i].conn);
    for (size_t i = 0; i < s->nparked; i++)
        MHD_resume_connection(s->parked[i].conn);
    s->ntimers = s->nparked = 0;
    pthread_mutex_unlock(&s->lock);
}

void emu_sched_free(struct emu_sched *s)
{
    if (s == NULL)
        return;
    emu_sched_stop(s);
    close(s->wake[0]);
    close(s->wake[1]);
    free(s->timers);
    free(s->parked);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
