/* signals.c: self-pipes for signals. */
#include "core/base/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received, mode;
static int stop_fds[2] = {-1, -1}, event_fds[2] = {-1, -1};

static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define N_HANDLED (sizeof handled / sizeof handled[0])
static struct sigaction before[N_HANDLED]; /* what each was, to put back */
static int installed[N_HANDLED];

static void put(int fd, int signo)
{
    char byte = (char)signo;
    ssize_t ignored = write(fd, &byte, 1);
    (void)ignored;
}

/* One write of a whole event (less than PIPE_BUF: the pipe takes all of it or none). */
static void put_event(int signo, const siginfo_t *info)
{
    struct signal_event ev = {.signo = signo};
    if (info) {
        ev.from_kernel = info->si_code == SI_KERNEL;
        /* SI_USER, SI_QUEUE, SI_TKILL (all <= 0) carry the sender's pid. */
        ev.sender = info->si_code <= 0 ? info->si_pid : 0;
    }
    ssize_t ignored = write(event_fds[1], &ev, sizeof ev);
    (void)ignored;
}

static void on_signal(int signo, siginfo_t *info, void *context)
{
    (void)context;
    int saved = errno;
    int stop = signo == SIGINT || signo == SIGTERM;
    if (mode == SIGNALS_PARENT || (mode == SIGNALS_AGENT && !stop))
        put_event(signo, info);
    if (stop) {
        if (received && mode != SIGNALS_PARENT)
            _exit(128 + signo); /* the second one: at once, as the user asked twice */
        if (!received)
            received = signo;
        put(stop_fds[1], signo);
    }
    errno = saved;
}

int signals_install(enum signals_mode m)
{
    mode = m;
    if (pipe2(stop_fds, O_CLOEXEC | O_NONBLOCK) != 0 ||
        pipe2(event_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_SIGINFO;
    for (size_t i = 0; i < N_HANDLED; i++) {
        int sig = handled[i];
        int wanted = sig == SIGINT || sig == SIGTERM || m == SIGNALS_PARENT ||
                     (m == SIGNALS_AGENT && sig == SIGHUP);
        if (!wanted || sigaction(sig, NULL, &before[i]) != 0)
            continue;
        /* A parent leaves a signal that was ignored when it started (nohup's SIGHUP, SIGINT of
         * a background job) ignored, so that its child inherits that as exec would give it. */
        if (m == SIGNALS_PARENT && before[i].sa_handler == SIG_IGN)
            continue;
        if (sigaction(sig, &sa, NULL) != 0)
            return -1;
        installed[i] = 1;
    }
    return stop_fds[0];
}

int signals_event_fd(void)
{
    return event_fds[0];
}

int signals_next_event(struct signal_event *ev)
{
    if (event_fds[0] < 0 || read(event_fds[0], ev, sizeof *ev) != (ssize_t)sizeof *ev)
        return 0;
    return 1;
}

int signals_next(void)
{
    struct signal_event ev;
    return signals_next_event(&ev) ? ev.signo : 0;
}

int signals_received(void)
{
    return received;
}

void signals_uninstall(void)
{
    for (size_t i = 0; i < N_HANDLED; i++)
        if (installed[i]) {
            sigaction(handled[i], &before[i], NULL);
            installed[i] = 0;
        }
    int *fds[] = {stop_fds, event_fds};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < 2; i++)
            if (fds[k][i] >= 0) {
                close(fds[k][i]);
                fds[k][i] = -1;
            }
}
