/* summary.c: the end of a run as people read it: a table on a terminal, a line per failed
 * target elsewhere, then one summary line. */
#include "core/summary.h"

#include <stdio.h>
#include <string.h>

#define TABLE_ALL_ROWS_UP_TO 40
#define REASON_WIDTH         60

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
                targets->items[i].name, progress_paint(p, r->status), tf_status_name(r->status),
                progress_reset(p), http, r->n_attempts, (double)r->elapsed_ms / 1000.0,
                REASON_WIDTH, r->error ? r->error : "");
    }
    if (!all)
        fprintf(p->out, "(%zu ok target%s not shown)\n", targets->count - failed,
                targets->count - failed == 1 ? "" : "s");
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
        /* Off a terminal: provision names each failed target (its cron mail says which);
         * check keeps to one line, its details being in the report, JUnit or metrics. */
        if (results[i].status != TF_STATUS_OK && !p->table && req->name_failures)
            errorf(req->msg, "%s: %s: %s", targets->items[i].name,
                   tf_status_name(results[i].status), results[i].error ? results[i].error : "");
    }
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
