/* progress.c: the progress line and the results table. */
#include "core/progress.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"

#define TABLE_ALL_ROWS_UP_TO 40
#define REASON_WIDTH         60

void progress_init(struct progress *p, FILE *out, size_t total, int verbosity)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->total = total;
    p->start_ms = clock_now_ms();
    int tty = isatty(fileno(out));
    const char *no_color = getenv("NO_COLOR");
    p->live = tty && verbosity == 0;
    p->table = tty && verbosity >= 0;
    p->color = tty && (!no_color || !*no_color);
}

static const char *paint(const struct progress *p, enum tf_status s)
{
    if (!p->color)
        return "";
    return s == TF_STATUS_OK ? "\033[32m" : "\033[31m";
}

static const char *reset(const struct progress *p)
{
    return p->color ? "\033[0m" : "";
}

static void draw(struct progress *p, int64_t now)
{
    double secs = (double)(now - p->start_ms) / 1000.0;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    size_t failed = p->done - p->ok;
    fprintf(p->out, "\r\033[K%zu/%zu done, %s%zu ok%s, %s%zu failed%s, %.0f/s", p->done, p->total,
            paint(p, TF_STATUS_OK), p->ok, reset(p), failed ? paint(p, TF_STATUS_AUTH_FAILED) : "",
            failed, failed ? reset(p) : "", rate);
    if (rate > 0 && p->done < p->total)
        fprintf(p->out, ", %.0f s left", (double)(p->total - p->done) / rate);
    fflush(p->out);
    p->drawn_ms = now;
}

void progress_tick(struct progress *p)
{
    if (!p->live)
        return;
    int64_t now = clock_now_ms();
    if (now - p->start_ms >= 1000 && now - p->drawn_ms >= 100)
        draw(p, now);
}

void progress_done(struct progress *p, enum tf_status status)
{
    p->done++;
    p->ok += status == TF_STATUS_OK;
    progress_tick(p);
}

void progress_clear(struct progress *p)
{
    if (p->live && p->drawn_ms) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
        p->drawn_ms = 0;
    }
}

void progress_table(const struct progress *p, const struct target_list *targets,
                    const struct result *results)
{
    size_t failed = 0, width = strlen("TARGET");
    for (size_t i = 0; i < targets->count; i++)
        failed += results[i].status != TF_STATUS_OK;
    int all = targets->count <= TABLE_ALL_ROWS_UP_TO;
    for (size_t i = 0; i < targets->count; i++)
        if (all || results[i].status != TF_STATUS_OK) {
            size_t w = strlen(targets->items[i].name);
            width = w > width ? w : width;
        }
    if (!all && !failed)
        return;
    fprintf(p->out, "%-*s  %-20s  %4s  %8s  %8s  %s\n", (int)width, "TARGET", "STATUS", "HTTP",
            "ATTEMPTS", "TIME", "REASON");
    for (size_t i = 0; i < targets->count; i++) {
        const struct result *r = &results[i];
        if (!all && r->status == TF_STATUS_OK)
            continue;
        char http[8] = "-";
        if (r->http_status)
            snprintf(http, sizeof http, "%ld", r->http_status);
        fprintf(p->out, "%-*s  %s%-20s%s  %4s  %8zu  %7.2fs  %.*s\n", (int)width,
                targets->items[i].name, paint(p, r->status), tf_status_name(r->status), reset(p),
                http, r->n_attempts, (double)r->elapsed_ms / 1000.0, REASON_WIDTH,
                r->error ? r->error : "");
    }
    if (!all)
        fprintf(p->out, "(%zu ok target%s not shown)\n", targets->count - failed,
                targets->count - failed == 1 ? "" : "s");
}
