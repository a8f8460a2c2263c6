/* supervise.c: exec --keep-alive's parent loop: start, pass signals on, keep alive, restart. */
#include "core/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/signals.h"

/* Without a pidfd (a kernel before 5.3, or a seccomp filter refusing it) the command's end is
 * looked for this often. */
#define POLL_WITHOUT_PIDFD_MS 100

struct supervisor {
    const struct supervise_options *o;
    struct keepalive *ka;
    pid_t child;   /* the command's process; 0 when none runs */
    int pidfd;     /* readable when the command ends; -1 when there is none */
    int wake;      /* epoll of the event pipe and the pidfd: the cycles' stop_fd, so that a
                      signal or the command's end cuts a cycle short */
    int status;    /* the command's wait status once it ended */
    int replaced;  /* a token was replaced since the command started: restart it */
    int stopping;  /* a SIGTERM came (or a SIGINT during a restart): no more restarts */
    int interrupt; /* the signals handled since the caller last looked: SIGINT or SIGTERM */
};

static const char *sig_name(int signo, char buf[16])
{
    const char *abbrev = sigabbrev_np(signo);
    if (abbrev)
        snprintf(buf, 16, "SIG%s", abbrev);
    else
        snprintf(buf, 16, "signal %d", signo);
    return buf;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec always */
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* Runs command with env in a new process: fork, then in the new process the signal handling put
 * back as tokenfleet found it (signals_uninstall: what was ignored stays ignored) and execvpe.
 * An exec that fails sends its errno back through a close-on-exec pipe, so that the caller
 * knows a command that was not found from one that was not runnable (posix_spawnp can say so
 * too, but not under valgrind, which makes its clone a plain fork). Returns 0 with *pid set, or
 * the errno of what failed (no process is left). */
static int spawn(char *const *command, char *const *env, pid_t *pid)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old); /* no handler of tokenfleet's runs in the new process */
    pid_t p = fork();
    if (p == 0) {
        signals_uninstall();
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvpe(command[0], command, env);
        int err = errno;
        ssize_t ignored = write(fds[1], &err, sizeof err);
        (void)ignored;
        _exit(127);
    }
    int err = p < 0 ? errno : 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (p > 0) {
        ssize_t n;
        while ((n = read(fds[0], &err, sizeof err)) < 0 && errno == EINTR)
            ;
        if (n == (ssize_t)sizeof err)
            waitpid(p, NULL, 0);
        else
            err = 0; /* closed by the exec: the command runs */
    }
    close(fds[0]);
    *pid = p;
    return err;
}

/* Starts the command with the tokens ka holds. Returns SUPERVISE_EXITED when it runs (s->child
 * set), else what went wrong (printed). */
static enum supervise_end start(struct supervisor *s)
{
    const struct supervise_options *o = s->o;
    char **env = child_env_for(&o->env, s->ka->held, o->msg);
    if (!env)
        return SUPERVISE_FAILED;
    pid_t pid = 0;
    int err = spawn(o->command, env, &pid);
    child_env_free(env);
    if (err) {
        if (err == ENOENT) {
            errorf(o->msg, "%s: command not found", o->command[0]);
            return SUPERVISE_NOT_FOUND;
        }
        errorf(o->msg, "cannot run %s: %s", o->command[0], strerror(err));
        return err == EAGAIN || err == ENOMEM ? SUPERVISE_FAILED : SUPERVISE_NOT_RUNNABLE;
    }
    s->child = pid;
    s->replaced = 0;
    s->pidfd = open_pidfd(pid);
    if (s->pidfd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->pidfd};
        if (epoll_ctl(s->wake, EPOLL_CTL_ADD, s->pidfd, &ev) != 0) {
            close(s->pidfd);
            s->pidfd = -1;
        }
    }
    return SUPERVISE_EXITED;
}

/* Reaps every child that ended (as PID 1 of a container, tokenfleet inherits orphans). Returns 1
 * when the command is one of them (s->status set, s->child 0), else 0. */
static int reap(struct supervisor *s)
{
    int status, ended = 0;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
        if (p != s->child)
            continue;
        s->status = status;
        s->child = 0;
        ended = 1;
    }
    if (ended && s->pidfd >= 0) {
        epoll_ctl(s->wake, EPOLL_CTL_DEL, s->pidfd, NULL);
        close(s->pidfd);
        s->pidfd = -1;
    }
    return ended;
}

/* Passes the signals that came on to the command, but for those it got already: the kernel's
 * (a terminal's Ctrl-C reaches the whole foreground group) and its own. Records SIGINT and
 * SIGTERM in s->interrupt; a SIGTERM stops restarts for good. */
static void forward(struct supervisor *s)
{
    const struct tf_msg *msg = s->o->msg;
    struct signal_event ev;
    char name[16];
    while (signals_next_event(&ev)) {
        if (ev.signo == SIGINT || ev.signo == SIGTERM)
            s->interrupt = 1;
        if (ev.signo == SIGTERM)
            s->stopping = 1;
        if (!s->child)
            continue;
        if (ev.from_kernel || ev.sender == s->child) {
            verbosef(msg, "%s %s reached %s (pid %ld) too: not passed on", sig_name(ev.signo, name),
                     ev.from_kernel ? "from the terminal" : "of its own", s->o->command[0],
                     (long)s->child);
            continue;
        }
        if (kill(s->child, ev.signo) == 0)
            verbosef(msg, "%s passed on to %s (pid %ld)", sig_name(ev.signo, name),
                     s->o->command[0], (long)s->child);
    }
    /* SIGINT and SIGTERM are on the event pipe too: the stop pipe only needs emptying. */
    char buf[64];
    while (s->o->stop_fd >= 0 && read(s->o->stop_fd, buf, sizeof buf) > 0)
        ;
}

/* Waits at most timeout_ms (-1: no bound) for a signal or the command's end. */
static void wait_for_events(struct supervisor *s, int64_t timeout_ms)
{
    if (s->pidfd < 0 && s->child && (timeout_ms < 0 || timeout_ms > POLL_WITHOUT_PIDFD_MS))
        timeout_ms = POLL_WITHOUT_PIDFD_MS;
    struct pollfd fds[2] = {{.fd = signals_event_fd(), .events = POLLIN},
                            {.fd = s->pidfd, .events = POLLIN}};
    poll(fds, s->pidfd >= 0 ? 2 : 1, timeout_ms > INT32_MAX ? INT32_MAX : (int)timeout_ms);
}

/* One line about how the command (pid) ended; after names the occasion ("" for its own end). */
static void say_ended(const struct supervisor *s, pid_t pid, const char *after)
{
    char name[16];
    if (WIFSIGNALED(s->status))
        infof(s->o->msg, "tokenfleet: %s (pid %ld) was killed by %s%s", s->o->command[0], (long)pid,
              sig_name(WTERMSIG(s->status), name), after);
    else
        infof(s->o->msg, "tokenfleet: %s (pid %ld) exited with status %d%s", s->o->command[0],
              (long)pid, WEXITSTATUS(s->status), after);
}

/* True when fd is readable now. */
static int readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

static void cycle_final(void *ctx, size_t i, struct result *r, enum keepalive_event ev)
{
    struct supervisor *s = ctx;
    if (ev == KEEPALIVE_REPLACED || ev == KEEPALIVE_ISSUED)
        s->replaced = 1; /* the command holds a token that is gone or aged */
    /* Cancelled because a signal or the command's end cut the cycle short: the cycle runs again
     * at once, so this is no failure to report. */
    if (ev == KEEPALIVE_FAILED && r->status == TF_STATUS_CANCELLED && readable(s->wake))
        return;
    if (s->o->on_final)
        s->o->on_final(s->o->on_final_ctx, i, r, ev);
}

/* One keep-alive cycle. Returns 1 when a signal or the command's end cut it short, so that the
 * loop looks at once and runs it again; else 0 (a failure is printed). */
static int cycle(struct supervisor *s)
{
    size_t n = s->o->env.targets->count;
    struct result *results = calloc(n + 1, sizeof *results);
    if (!results) {
        errorf(s->o->msg, "out of memory");
        return 0;
    }
    struct driver_options d = s->o->driver;
    d.stop_fd = s->wake;
    enum driver_stop stop = DRIVER_FINISHED;
    enum tf_err rc = keepalive_cycle(s->ka, &d, results, &stop, cycle_final, s);
    results_free(results, n);
    if (rc != TF_OK)
        errorf(s->o->msg, "a keep-alive cycle stopped early: %s", tf_strerror(rc));
    return rc == TF_OK && stop == DRIVER_INTERRUPTED;
}

static int every_target_holds_a_token(const struct supervisor *s)
{
    for (size_t i = 0; i < s->o->env.targets->count; i++)
        if (!s->ka->held[i].token)
            return 0;
    return 1;
}

/* Ends the command (SIGTERM, SIGKILL after kill_after_ms) and starts it again with the tokens
 * held now, unless a SIGINT or SIGTERM comes meanwhile. Returns SUPERVISE_EXITED with the new
 * command running (s->child set), or with none (s->child 0) when tokenfleet is to end with the
 * old one's status; else what went wrong. */
static enum supervise_end restart(struct supervisor *s)
{
    const struct supervise_options *o = s->o;
    pid_t old = s->child;
    infof(o->msg, "tokenfleet: a token was replaced: restarting %s (pid %ld): SIGTERM",
          o->command[0], (long)old);
    kill(old, SIGTERM);
    s->interrupt = 0;
    int64_t kill_at = clock_now_ms() + o->kill_after_ms;
    int killed = 0;
    while (!reap(s)) {
        int64_t now = clock_now_ms();
        if (!killed && now >= kill_at) {
            warnf(o->msg, "%s (pid %ld) did not end within %ld s of SIGTERM: SIGKILL",
                  o->command[0], (long)old, o->kill_after_ms / 1000);
            kill(old, SIGKILL);
            killed = 1;
        }
        wait_for_events(s, killed ? -1 : kill_at - now);
        forward(s);
        if (s->interrupt)
            s->stopping = 1;
    }
    if (s->stopping) {
        say_ended(s, old, ", and a signal to stop came: not started again");
        return SUPERVISE_EXITED;
    }
    say_ended(s, old, " for the restart");
    enum supervise_end end = start(s);
    if (end == SUPERVISE_EXITED)
        infof(o->msg, "tokenfleet: restarted %s with the new tokens (pid %ld)", o->command[0],
              (long)s->child);
    return end;
}

static enum supervise_end loop(struct supervisor *s)
{
    const struct supervise_options *o = s->o;
    enum supervise_end end = start(s);
    if (end != SUPERVISE_EXITED)
        return end;
    verbosef(o->msg, "started %s (pid %ld)", o->command[0], (long)s->child);
    int64_t next = clock_now_ms() + o->interval_ms;
    for (;;) {
        forward(s);
        pid_t pid = s->child;
        if (reap(s)) {
            say_ended(s, pid, "");
            return SUPERVISE_EXITED;
        }
        int64_t now = clock_now_ms();
        if (now < next) {
            wait_for_events(s, next - now);
            continue;
        }
        /* A cycle cut short by a signal runs again once the signal is passed on. */
        next = cycle(s) ? clock_now_ms() : clock_now_ms() + o->interval_ms;
        if (!s->replaced || s->stopping || !every_target_holds_a_token(s))
            continue;
        if ((end = restart(s)) != SUPERVISE_EXITED || !s->child)
            return end;
        next = clock_now_ms() + o->interval_ms;
    }
}

enum supervise_end supervise_run(const struct supervise_options *o, struct keepalive *ka,
                                 int *wait_status)
{
    struct supervisor s = {.o = o, .ka = ka, .pidfd = -1};
    s.wake = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = signals_event_fd()};
    if (s.wake < 0 || epoll_ctl(s.wake, EPOLL_CTL_ADD, ev.data.fd, &ev) != 0) {
        errorf(o->msg, "cannot set up waiting for signals: %s", strerror(errno));
        if (s.wake >= 0)
            close(s.wake);
        return SUPERVISE_FAILED;
    }
    enum supervise_end end = loop(&s); /* returns with no command running */
    if (s.pidfd >= 0)
        close(s.pidfd);
    close(s.wake);
    *wait_status = s.status;
    return end;
}
