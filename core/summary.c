/* summary.c: the end of a run as people read it: a table on a terminal, a line per failed
 * target elsewhere, then one summary line. */
#include "core/summary.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TABLE_ALL_ROWS_UP_TO 40
#define REASON_MIN_WIDTH     10 /* the reason column, however narrow the terminal */

/* The terminal's width in columns, or 80 when it cannot be told. */
static int columns(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void summary_table(const struct progress *p, const struct target_list *targets,
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
    /* The reason takes what the terminal's width leaves; a longer one is cut here and printed
     * whole below the table. */
    int reason_width = columns(p->out) - (int)width - 51; /* 51: the other columns */
    if (reason_width < REASON_MIN_WIDTH)
        reason_width = REASON_MIN_WIDTH;
    size_t cut = 0;
    fprintf(p->out, "%-*s  %-20s  %4s  %8s  %8s  %s\n", (int)width, "TARGET", "STATUS", "HTTP",
            "ATTEMPTS", "TIME", "REASON");
    for (size_t i = 0; i < targets->count; i++) {
        const struct result *r = &results[i];
        if (!all && r->status == TF_STATUS_OK)
            continue;
        char http[8] = "-";
        if (r->http_status)
            snprintf(http, sizeof http, "%ld", r->http_status);
        const char *reason = r->error ? r->error : "";
        int long_reason = strlen(reason) > (size_t)reason_width;
        cut += (size_t)long_reason;
        fprintf(p->out, "%-*s  %s%-20s%s  %4s  %8zu  %7.2fs  %.*s%s\n", (int)width,
                targets->items[i].name, progress_paint(p, r->status), tf_status_name(r->status),
                progress_reset(p), http, r->n_attempts, (double)r->elapsed_ms / 1000.0,
                long_reason ? reason_width - 3 : reason_width, reason, long_reason ? "..." : "");
    }
    if (!all)
        fprintf(p->out, "(%zu ok target%s not shown)\n", targets->count - failed,
                targets->count - failed == 1 ? "" : "s");
    if (!cut)
        return;
    fputs("\nReasons in full:\n", p->out);
    for (size_t i = 0; i < targets->count; i++) {
        const char *reason = results[i].error ? results[i].error : "";
        if (results[i].status != TF_STATUS_OK && strlen(reason) > (size_t)reason_width)
            fprintf(p->out, "%s: %s\n", targets->items[i].name, reason);
    }
}

void summary_print(const struct summary_request *req, const struct target_list *targets,
                   const struct result *results)
{
    const struct progress *p = req->progress;
    size_t by_status[TF_STATUS_COUNT] = {0};
    if (p->table)
        summary_table(p, targets, results);
    for (size_t i = 0; i < targets->count; i++) {
        by_status[results[i].status]++;
        /* Off a terminal (cron mail, a CI log) each failed target is named, but cancelled ones,
         * which may be thousands, share one line below. */
        enum tf_status s = results[i].status;
        if (s != TF_STATUS_OK && s != TF_STATUS_CANCELLED && !p->table)
            errorf(req->msg, "%s: %s: %s", targets->items[i].name, tf_status_name(s),
                   results[i].error ? results[i].error : "");
    }
    size_t cancelled = by_status[TF_STATUS_CANCELLED];
    if (cancelled && !p->table)
        errorf(req->msg, "%zu target%s cancelled: %s", cancelled, cancelled == 1 ? "" : "s",
               req->stop_reason ? req->stop_reason : "the run ended early");
    char detail[256] = "";
    size_t len = 0;
    for (int s = TF_STATUS_AUTH_FAILED; s < TF_STATUS_COUNT; s++)
        if (by_status[s] && len < sizeof detail)
            len +=
                (size_t)snprintf(detail + len, sizeof detail - len, "%s%s %zu", len ? ", " : " (",
                                 tf_status_name((enum tf_status)s), by_status[s]);
    if (len && len < sizeof detail - 1)
        strcat(detail, ")");
    size_t ok = by_status[TF_STATUS_OK];
    infof(req->msg, "tokenfleet: %zu target%s: %zu ok, %zu failed%s in %.2f s", targets->count,
          targets->count == 1 ? "" : "s", ok, targets->count - ok, detail, req->seconds);
}
