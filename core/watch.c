/* watch.c: the agent's loop: cycle, write, tell, wait. */
#include "core/watch.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/atomic_file.h"
#include "core/base/clock.h"
#include "core/base/notify.h"
#include "core/base/proc.h"
#include "core/base/text.h"
#include "core/envfile.h"
#include "core/keepalive.h"
#include "core/preflight.h"
#include "core/report.h"

/* On-change commands running at once at most. */
#define ON_CHANGE_MAX 4

/* What one cycle did, for its summary line and STATUS=. */
struct cycle_counts {
    size_t by_event[4]; /* enum keepalive_event */
    size_t written;     /* env files rewritten */
};

struct agent {
    const struct watch_options *o;
    const struct target_list *targets;
    struct keepalive ka;
    struct proc_pool *pool;
    struct cycle_counts counts;
    int64_t watchdog_ms, watchdog_due; /* 0: no watchdog */
};

/* Reads the tokens the env files already hold: a restarted agent proves and keeps them. */
static void adopt_files(struct agent *a, size_t from)
{
    for (size_t i = from; i < a->targets->count; i++) {
        struct held_token *h = &a->ka.held[i];
        if (h->token)
            continue;
        char *token;
        int64_t issued;
        enum tf_err rc = envfile_read_token(a->o->outputs.env_dir, &a->targets->items[i],
                                            &a->targets->env_names, &token, &issued);
        if (rc == TF_OK) {
            h->token = token;
            h->issued_at_ms = issued;
            h->had = 1;
        } else if (rc != TF_ERR_IO || errno != ENOENT) {
            h->had = 1; /* a file of some sort is there: a new token replaces it */
            verbosef(a->o->msg,
                     "%s: its env file holds no token of this target; a new one "
                     "will replace it",
                     a->targets->items[i].name);
        }
    }
}

static void run_on_change(struct agent *a, const struct target *t, enum keepalive_event ev)
{
    char *path = envfile_path(a->o->outputs.env_dir, t);
    char *vars[5] = {
        text_printf("TOKENFLEET_TARGET=%s", t->name),
        text_printf("TOKENFLEET_DATABASE=%s", t->db->name.value),
        text_printf("TOKENFLEET_REGION=%s", t->region->value),
        path ? text_printf("TOKENFLEET_ENV_FILE=%s", path) : NULL,
        text_printf("TOKENFLEET_EVENT=%s", keepalive_event_name(ev)),
    };
    int ok = 1;
    for (size_t i = 0; i < 5; i++)
        ok &= vars[i] != NULL;
    if (ok)
        proc_pool_add(a->pool, t->name, (const char *const *)vars, 5);
    else
        errorf(a->o->msg, "%s: --on-change not run: out of memory", t->name);
    for (size_t i = 0; i < 5; i++)
        free(vars[i]);
    free(path);
}

static void target_final(void *ctx, size_t i, struct result *r, enum keepalive_event ev)
{
    struct agent *a = ctx;
    const struct target *t = &a->targets->items[i];
    const struct tf_msg *msg = a->o->msg;
    a->counts.by_event[ev]++;
    if (ev == KEEPALIVE_KEPT) {
        verbosef(msg, "%s: kept (the token works)", t->name);
        return;
    }
    if (ev == KEEPALIVE_FAILED) {
        errorf(msg, "%s: failed: %s: %s (its env file is kept as it was)", t->name,
               tf_status_name(r->status), r->error ? r->error : "");
        return;
    }
    char stamp[32]; /* an application token has no issue time: the time it was proven */
    clock_format_utc_ms(r->issued_at_ms ? r->issued_at_ms : clock_wall_ms(), stamp);
    enum env_var bad = ENV_VAR_COUNT;
    enum tf_err rc = envfile_write_file(a->o->outputs.env_dir, t, &a->targets->env_names, r->token,
                                        a->o->outputs.env_format, stamp, &bad);
    if (rc != TF_OK) {
        int saved = errno;
        errorf(msg, "%s: %s, but its env file could not be written: %s", t->name,
               keepalive_event_name(ev),
               rc == TF_ERR_UNSAFE ? a->targets->env_names.name[bad]
               : rc == TF_ERR_IO   ? strerror(saved)
                                   : tf_strerror(rc));
        return;
    }
    a->counts.written++;
    infof(msg, "tokenfleet: %s: %s (%s at %s)", t->name, keepalive_event_name(ev),
          t->db->app_token ? "application token proven" : "token issued", stamp);
    if (a->pool)
        run_on_change(a, t, ev);
}

/* The report and Prometheus file of the cycle, and the combined env file when a token changed
 * (or it is not there yet). */
static void write_outputs(struct agent *a, unsigned long cycle, struct timespec started,
                          const struct result *results)
{
    struct output_options out = {.env_format = a->o->outputs.env_format,
                                 .report = a->o->outputs.report,
                                 .prom = a->o->outputs.prom};
    if (a->o->outputs.env_file &&
        (a->counts.written || cycle == 1 || access(a->o->outputs.env_file, F_OK) != 0))
        out.env_file = a->o->outputs.env_file;
    struct report_meta meta = {.mode = "watch",
                               .with_tokens = 0, /* the env files hold them; this is status */
                               .cycle = cycle,
                               .started_at = started,
                               .finished_at = clock_wall()};
    outputs_write(&out, &meta, a->targets, results, a->o->msg);
}

static void summarize(struct agent *a, unsigned long cycle, double seconds)
{
    const struct cycle_counts *c = &a->counts;
    char status[256];
    snprintf(status, sizeof status,
             "cycle %lu: %zu targets: %zu kept, %zu issued, %zu replaced, %zu failed", cycle,
             a->targets->count, c->by_event[KEEPALIVE_KEPT], c->by_event[KEEPALIVE_ISSUED],
             c->by_event[KEEPALIVE_REPLACED], c->by_event[KEEPALIVE_FAILED]);
    infof(a->o->msg, "tokenfleet: %s in %.2f s", status, seconds);
    char state[300];
    snprintf(state, sizeof state, "%sSTATUS=%s", cycle == 1 ? "READY=1\n" : "", status);
    notify_send(state);
}

/* Runs one cycle. Returns 0, or -1 when tokenfleet itself failed (printed). */
static int cycle(struct agent *a, unsigned long n, int *stopped)
{
    memset(&a->counts, 0, sizeof a->counts);
    struct timespec started = clock_wall();
    int64_t t0 = clock_now_ms();
    struct result *results = calloc(a->targets->count + 1, sizeof *results);
    if (!results) {
        errorf(a->o->msg, "out of memory");
        return -1;
    }
    enum driver_stop stop = DRIVER_FINISHED;
    enum tf_err rc = keepalive_cycle(&a->ka, &a->o->driver, results, &stop, target_final, a);
    if (a->counts.written)
        atomic_sync_dir(a->o->outputs.env_dir);
    if (rc != TF_OK)
        errorf(a->o->msg, "cycle %lu stopped early: %s", n, tf_strerror(rc));
    write_outputs(a, n, started, results);
    results_free(results, a->targets->count);
    summarize(a, n, (double)(clock_now_ms() - t0) / 1000.0);
    *stopped = stop == DRIVER_INTERRUPTED;
    return rc == TF_OK || rc == TF_ERR_CURL ? 0 : -1; /* libcurl set-up: the next cycle */
}

/* Says which targets the reload dropped: their files stay, no longer kept alive. */
static void log_removed(struct agent *a, const struct target_list *old,
                        const struct target_list *now)
{
    for (size_t i = 0; i < old->count; i++) {
        int found = 0;
        for (size_t k = 0; k < now->count && !found; k++)
            found = !strcmp(old->items[i].name, now->items[k].name);
        if (!found)
            infof(a->o->msg,
                  "tokenfleet: %s: no longer in the inventory: not kept alive any more (its env "
                  "file stays)",
                  old->items[i].name);
    }
}

/* SIGHUP: the inventory again. Returns 1 when the targets changed, 0 when the old ones stay. */
static int reload(struct agent *a, const struct target_list *first)
{
    const struct tf_msg *msg = a->o->msg;
    const struct target_list *now = a->o->reload(a->o->reload_ctx);
    if (!now) {
        errorf(msg, "reload: the inventory cannot be used (see above); going on with the one "
                    "loaded before");
        return 0;
    }
    const struct target_list *old = a->targets;
    if (keepalive_adopt(&a->ka, now) != TF_OK) {
        errorf(msg, "reload: out of memory; going on with the inventory loaded before");
        a->o->release(a->o->reload_ctx, now);
        return 0;
    }
    log_removed(a, old, now);
    a->targets = now;
    adopt_files(a, 0);
    infof(msg, "tokenfleet: reloaded %s: %zu targets", now->source ? now->source : "the inventory",
          now->count);
    if (old != first)
        a->o->release(a->o->reload_ctx, old);
    return 1;
}

enum wait_end { WAIT_NEXT_CYCLE, WAIT_STOP, WAIT_RELOADED };

/* Between cycles: on-change commands, the watchdog, a reload, until the next cycle is due or a
 * stop is asked for. */
static enum wait_end wait_for_next(struct agent *a, int64_t due, const struct target_list *first)
{
    const struct watch_options *o = a->o;
    struct pollfd fds[2 + ON_CHANGE_MAX];
    for (;;) {
        int64_t now = clock_now_ms();
        if (a->watchdog_ms && now >= a->watchdog_due) {
            notify_send("WATCHDOG=1");
            a->watchdog_due = now + a->watchdog_ms;
        }
        if (now >= due)
            return WAIT_NEXT_CYCLE;
        int64_t until = due - now;
        if (a->watchdog_ms && a->watchdog_due - now < until)
            until = a->watchdog_due - now;
        int timeout = until > 60000 ? 60000 : (int)until;
        size_t n = 0;
        fds[n++] = (struct pollfd){.fd = o->driver.stop_fd, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = o->reload_fd, .events = POLLIN};
        if (a->pool)
            n += proc_pool_pollfds(a->pool, fds + n, ON_CHANGE_MAX, &timeout);
        if (poll(fds, (nfds_t)n, timeout < 0 ? 0 : timeout) < 0 && errno != EINTR) {
            errorf(o->msg, "waiting: %s", strerror(errno));
            return WAIT_STOP;
        }
        if (a->pool)
            proc_pool_service(a->pool);
        if (fds[0].fd >= 0 && (fds[0].revents & POLLIN))
            return WAIT_STOP;
        if (fds[1].fd >= 0 && (fds[1].revents & POLLIN) && o->reload_pending &&
            o->reload_pending() && reload(a, first))
            return WAIT_RELOADED;
    }
}

enum job_outcome watch_run(const struct watch_options *o, const struct target_list *targets)
{
    struct preflight_request pre = {.outputs = &o->outputs, .verify = 1};
    if (preflight_run(&pre, targets, o->msg) != 0)
        return JOB_REFUSED;
    if (outputs_prepare(&o->outputs, o->msg) != 0)
        return JOB_REFUSED;
    struct agent a = {.o = o, .targets = targets};
    if (keepalive_init(&a.ka, targets, o->max_token_age_ms) != TF_OK ||
        (o->on_change &&
         !(a.pool = proc_pool_new(o->on_change, ON_CHANGE_MAX, o->on_change_timeout_ms, o->msg)))) {
        errorf(o->msg, "out of memory");
        keepalive_free(&a.ka);
        return JOB_SOME_FAILED;
    }
    adopt_files(&a, 0);
    a.watchdog_ms = notify_watchdog_interval_ms();
    a.watchdog_due = clock_now_ms();
    enum job_outcome outcome = JOB_ALL_OK;
    for (unsigned long n = 1;; n++) {
        int64_t started = clock_now_ms();
        int stopped = 0;
        if (cycle(&a, n, &stopped) != 0) {
            outcome = JOB_SOME_FAILED;
            break;
        }
        if (stopped || (o->max_cycles && n >= o->max_cycles))
            break;
        if (wait_for_next(&a, started + o->interval_ms, targets) == WAIT_STOP)
            break;
    }
    notify_send("STOPPING=1");
    infof(o->msg, "tokenfleet: stopping");
    proc_pool_free(a.pool);
    keepalive_free(&a.ka);
    if (a.targets != targets)
        o->release(o->reload_ctx, a.targets);
    return outcome;
}
