/* proc.c: a small pool of /bin/sh -c commands. */
#include "core/base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/text.h"

extern char **environ;

#define LINE_MAX_BYTES 1024

struct job {
    char *label;
    char **env; /* "NAME=value", NULL-terminated; owned */
};

struct running {
    struct job job;
    pid_t pid;
    int fd;           /* read end of its stdout+stderr; -1 once at end of file */
    int64_t deadline; /* monotonic ms */
    int killed;
    char line[LINE_MAX_BYTES + 1];
    size_t line_len;
};

struct proc_pool {
    const char *command;
    size_t max;
    long timeout_ms;
    const struct tf_msg *msg;
    struct running *run; /* max of them; pid 0 = free */
    size_t n_running;
    struct job *queue; /* FIFO ring of PROC_MAX_PENDING */
    size_t q_head, q_len;
};

static void job_free(struct job *j)
{
    for (size_t i = 0; j->env && j->env[i]; i++)
        free(j->env[i]);
    free(j->env);
    free(j->label);
    memset(j, 0, sizeof *j);
}

struct proc_pool *proc_pool_new(const char *command, size_t max, long timeout_ms,
                                const struct tf_msg *msg)
{
    struct proc_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->command = command;
    p->max = max ? max : 1;
    p->timeout_ms = timeout_ms;
    p->msg = msg;
    p->run = calloc(p->max, sizeof *p->run);
    p->queue = calloc(PROC_MAX_PENDING, sizeof *p->queue);
    if (!p->run || !p->queue) {
        proc_pool_free(p);
        return NULL;
    }
    for (size_t i = 0; i < p->max; i++)
        p->run[i].fd = -1;
    return p;
}

static void finish(struct proc_pool *p, struct running *r, int status);

void proc_pool_free(struct proc_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->run && i < p->max; i++) {
        struct running *r = &p->run[i];
        if (!r->pid)
            continue;
        kill(-r->pid, SIGKILL);
        int status = 0;
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
            ;
        r->killed = 1;
        finish(p, r, status);
    }
    for (size_t i = 0; p->queue && i < p->q_len; i++)
        job_free(&p->queue[(p->q_head + i) % PROC_MAX_PENDING]);
    free(p->run);
    free(p->queue);
    free(p);
}

int proc_pool_add(struct proc_pool *p, const char *label, const char *const *env, size_t n)
{
    if (p->q_len == PROC_MAX_PENDING) {
        warnf(p->msg, "%s: --on-change not run: %d runs already wait their turn", label,
              PROC_MAX_PENDING);
        return -1;
    }
    struct job j = {.label = strdup(label), .env = calloc(n + 1, sizeof *j.env)};
    int bad = !j.label || !j.env;
    for (size_t i = 0; !bad && i < n; i++)
        bad = !(j.env[i] = strdup(env[i]));
    if (bad) {
        job_free(&j);
        errorf(p->msg, "%s: --on-change not run: out of memory", label);
        return -1;
    }
    p->queue[(p->q_head + p->q_len++) % PROC_MAX_PENDING] = j;
    return 0;
}

/* The environment for a run: ours, with job's variables in place of any of the same name. */
static char **environment(const struct job *j)
{
    size_t n = 0, extra = 0;
    while (environ[n])
        n++;
    while (j->env[extra])
        extra++;
    char **envp = calloc(n + extra + 1, sizeof *envp);
    if (!envp)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t name_len = strcspn(environ[i], "=");
        int replaced = 0;
        for (size_t e = 0; e < extra && !replaced; e++)
            replaced = !strncmp(j->env[e], environ[i], name_len) && j->env[e][name_len] == '=';
        if (!replaced)
            envp[k++] = environ[i];
    }
    for (size_t e = 0; e < extra; e++)
        envp[k++] = j->env[e];
    return envp;
}

/* Starts j on the free slot r. Returns 0, or -1 (printed; j is freed). */
static int start(struct proc_pool *p, struct running *r, struct job *j)
{
    int fds[2] = {-1, -1};
    char **envp = environment(j);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int fa_ok = 0, attr_ok = 0, rc = ENOMEM;
    if (envp && pipe2(fds, O_CLOEXEC) == 0 && (rc = posix_spawn_file_actions_init(&fa)) == 0) {
        fa_ok = 1;
        rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (!rc)
            rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        if (!rc)
            rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
        if (!rc && !(rc = posix_spawnattr_init(&attr))) {
            attr_ok = 1;
            /* Its own process group: a timeout kills what it started too. Default signal
             * handling, whatever ours is. */
            sigset_t all, none;
            sigfillset(&all);
            sigemptyset(&none);
            rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                     POSIX_SPAWN_SETSIGMASK);
            if (!rc)
                rc = posix_spawnattr_setpgroup(&attr, 0);
            if (!rc)
                rc = posix_spawnattr_setsigdefault(&attr, &all);
            if (!rc)
                rc = posix_spawnattr_setsigmask(&attr, &none);
        }
        char *const argv[] = {"sh", "-c", (char *)p->command, NULL};
        if (!rc)
            rc = posix_spawn(&r->pid, "/bin/sh", &fa, &attr, argv, envp);
    } else if (envp) {
        rc = errno;
    }
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    free(envp);
    if (fds[1] >= 0)
        close(fds[1]);
    if (rc) {
        if (fds[0] >= 0)
            close(fds[0]);
        r->pid = 0;
        errorf(p->msg, "%s: --on-change could not be started: %s", j->label, strerror(rc));
        job_free(j);
        return -1;
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    r->job = *j;
    r->fd = fds[0];
    r->deadline = clock_now_ms() + p->timeout_ms;
    r->killed = 0;
    r->line_len = 0;
    p->n_running++;
    return 0;
}

static void flush_line(struct proc_pool *p, struct running *r)
{
    if (!r->line_len)
        return;
    r->line[r->line_len] = '\0';
    text_replace_controls(r->line);
    infof(p->msg, "tokenfleet: on-change %s: %s", r->job.label, r->line);
    r->line_len = 0;
}

/* Reads what the command printed; closes the pipe at its end. */
static void drain(struct proc_pool *p, struct running *r)
{
    char buf[4096];
    for (;;) {
        ssize_t got = read(r->fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return; /* EAGAIN: more later */
        if (got == 0) {
            flush_line(p, r);
            close(r->fd);
            r->fd = -1;
            return;
        }
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n' || r->line_len == LINE_MAX_BYTES) {
                flush_line(p, r);
                if (buf[i] == '\n')
                    continue;
            }
            r->line[r->line_len++] = buf[i];
        }
    }
}

static void finish(struct proc_pool *p, struct running *r, int status)
{
    if (r->fd >= 0) {
        drain(p, r);
        if (r->fd >= 0) {
            flush_line(p, r);
            close(r->fd);
            r->fd = -1;
        }
    }
    if (r->killed)
        warnf(p->msg, "%s: --on-change ran longer than %ld s and was killed", r->job.label,
              p->timeout_ms / 1000);
    else if (WIFEXITED(status) && WEXITSTATUS(status))
        warnf(p->msg, "%s: --on-change exited with status %d", r->job.label, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        warnf(p->msg, "%s: --on-change was ended by signal %d", r->job.label, WTERMSIG(status));
    job_free(&r->job);
    r->pid = 0;
    p->n_running--;
}

size_t proc_pool_pollfds(struct proc_pool *p, struct pollfd *fds, size_t cap, int *timeout_ms)
{
    size_t n = 0;
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < p->max; i++) {
        struct running *r = &p->run[i];
        if (!r->pid)
            continue;
        if (r->fd >= 0 && n < cap)
            fds[n++] = (struct pollfd){.fd = r->fd, .events = POLLIN};
        /* Exits are noticed by polling: look again soon while a command runs. */
        int64_t until = r->killed ? 50 : r->deadline - now;
        if (until > 200)
            until = 200;
        if (until < *timeout_ms)
            *timeout_ms = until < 0 ? 0 : (int)until;
    }
    if (p->q_len && p->n_running < p->max)
        *timeout_ms = 0;
    return n;
}

void proc_pool_service(struct proc_pool *p)
{
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < p->max; i++) {
        struct running *r = &p->run[i];
        if (!r->pid)
            continue;
        if (r->fd >= 0)
            drain(p, r);
        int status = 0;
        pid_t w = waitpid(r->pid, &status, WNOHANG);
        if (w == r->pid || (w < 0 && errno == ECHILD)) {
            finish(p, r, status);
            continue;
        }
        if (!r->killed && now >= r->deadline) {
            kill(-r->pid, SIGKILL);
            r->killed = 1;
        }
    }
    for (size_t i = 0; i < p->max && p->q_len; i++) {
        if (p->run[i].pid)
            continue;
        struct job j = p->queue[p->q_head];
        p->q_head = (p->q_head + 1) % PROC_MAX_PENDING;
        p->q_len--;
        start(p, &p->run[i], &j);
    }
}

size_t proc_pool_busy(const struct proc_pool *p)
{
    return p->n_running + p->q_len;
}
