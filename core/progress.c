/* progress.c: the progress line. */
#include "core/progress.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"

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
    const char *term = getenv("TERM");
    /* NO_COLOR (no-color.org) and TERM=dumb (a terminal that knows no escapes) turn it off. */
    p->color = tty && (!no_color || !*no_color) && !(term && !strcmp(term, "dumb"));
    p->live = p->live && !(term && !strcmp(term, "dumb"));
}

const char *progress_paint(const struct progress *p, enum tf_status s)
{
    if (!p->color)
        return "";
    return s == TF_STATUS_OK ? "\033[32m" : "\033[31m";
}

const char *progress_reset(const struct progress *p)
{
    return p->color ? "\033[0m" : "";
}

static void draw(struct progress *p, int64_t now)
{
    double secs = (double)(now - p->start_ms) / 1000.0;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    size_t failed = p->done - p->ok;
    fprintf(p->out, "\r\033[K%zu/%zu done, %s%zu ok%s, %s%zu failed%s, %.0f/s", p->done, p->total,
            progress_paint(p, TF_STATUS_OK), p->ok, progress_reset(p),
            failed ? progress_paint(p, TF_STATUS_AUTH_FAILED) : "", failed,
            failed ? progress_reset(p) : "", rate);
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
