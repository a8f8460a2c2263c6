/* report.h: the JSON report of a run, one result per target in inventory order. */
#ifndef TOKENFLEET_REPORT_H
#define TOKENFLEET_REPORT_H

#include <stdio.h>
#include <time.h>

#include "config/targets.h"
#include "core/errors.h"
#include "core/result.h"

struct report_meta {
    const char *mode;            /* "provision" */
    struct timespec started_at;  /* CLOCK_REALTIME */
    struct timespec finished_at; /* CLOCK_REALTIME */
    int with_tokens;             /* write the token of ok targets */
};

/* Formats t as RFC 3339 UTC with milliseconds ("2026-11-27T21:00:00.123Z") into buf (>= 25). */
void report_format_time(struct timespec t, char buf[32]);

/* Writes the report to out: a header object whose last member is "results", then one result
 * object per line, so that a 100,000-target report is never held in memory as one JSON tree.
 * Key order is fixed; "request_ids" lists every attempt in order as
 * {"request_id", "status", "http_status"}. Returns TF_OK, TF_ERR_JSON or TF_ERR_IO. */
enum tf_err report_write(FILE *out, const struct report_meta *meta,
                         const struct target_list *targets, const struct result *results);

#endif
