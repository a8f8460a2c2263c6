/* report.h: the JSON report of a run, one result per target in inventory order. */
#ifndef TOKENFLEET_REPORT_H
#define TOKENFLEET_REPORT_H

#include <jansson.h>
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
    unsigned shard_index;        /* --shard K/N: K */
    unsigned shard_count;        /* --shard K/N: N; 0 when the run was not sharded */
};

/* Formats t as RFC 3339 UTC with milliseconds ("2026-11-27T21:00:00.123Z") into buf (>= 25). */
void report_format_time(struct timespec t, char buf[32]);

/* Writes the report to out: a header object whose last member is "results", then one result
 * object per line, so that a 100,000-target report is never held in memory as one JSON tree.
 * Key order is fixed; "request_ids" lists every attempt in order as
 * {"request_id", "status", "http_status"}. Returns TF_OK, TF_ERR_JSON or TF_ERR_IO. */
enum tf_err report_write(FILE *out, const struct report_meta *meta,
                         const struct target_list *targets, const struct result *results);

/* Writes head (borrowed; it must not hold "results") with a "results" array appended as its last
 * member, one result per line; result_at returns a new reference to result i (NULL: out of
 * memory). The format of every report tokenfleet writes. Returns TF_OK, TF_ERR_JSON or
 * TF_ERR_IO. */
enum tf_err report_write_stream(FILE *out, json_t *head, size_t n,
                                json_t *(*result_at)(void *ctx, size_t i), void *ctx);

#endif
