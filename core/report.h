/* report.h: the JSON report of a run, one result per target in inventory order. */
#ifndef TOKENFLEET_REPORT_H
#define TOKENFLEET_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "core/target.h"
#include "core/base/errors.h"
#include "core/result.h"

struct report_meta {
    const char *mode;            /* "provision" */
    struct timespec started_at;  /* CLOCK_REALTIME */
    struct timespec finished_at; /* CLOCK_REALTIME */
    int with_tokens;             /* write the token of ok targets */
    unsigned long cycle;         /* watch: the cycle's number (from 1); 0 for a one-shot run */
    unsigned shard_index;        /* --shard K/N: K */
    unsigned shard_count;        /* --shard K/N: N; 0 when the run was not sharded */
    unsigned shard_hash;         /* the version of the hash that split the fleet */
    struct report_spool *spool;  /* result lines rendered during the run; may be NULL (writing
                                    the report gives back the spool's disk as lines are copied) */
};

/* Result lines rendered as targets finish (while the run waits on the network), so that
 * writing the report afterwards is a copy. They are kept in an unlinked file (O_TMPFILE, 0600)
 * in the report's folder, not in memory: a line per target, 100,000 targets. */
struct report_spool;

/* Returns a new spool for n targets next to report_path (a file), or NULL when the folder
 * cannot hold an unnamed file (the report is then rendered afterwards, as without a spool).
 * with_tokens as in report_meta. Free with report_spool_free. */
struct report_spool *report_spool_new(const char *report_path, size_t n, int with_tokens);

/* Renders the line of target i (t, its final result r). Returns 1 when the line is kept, so
 * that r is no longer needed for the report; 0 when not (it is then rendered from r when the
 * report is written), always for a NULL sp. */
int report_spool_add(struct report_spool *sp, size_t i, const struct target *t,
                     const struct result *r);

/* Closes and frees sp. report_spool_free(NULL) is a no-op. */
void report_spool_free(struct report_spool *sp);

/* Writes the report to out: a header object whose last member is "results", then one result
 * object per line, so that a 100,000-target report is never held in memory as one JSON tree.
 * Lines in meta->spool are copied from there (which consumes the spool: write it once); the
 * others are rendered from results.
 * Key order is fixed; "request_ids" lists every attempt in order as
 * {"request_id", "status", "http_status"}. Returns TF_OK, TF_ERR_JSON or TF_ERR_IO. */
enum tf_err report_write(FILE *out, const struct report_meta *meta,
                         const struct target_list *targets, const struct result *results);

/* Returns a new report header object {"tokenfleet", "mode", "started_at", "finished_at",
 * "summary": {"targets", "ok", "failed"}} in that key order (a NULL stamp is written as null),
 * for callers to add to ("shard", "merged_reports"); NULL when out of memory. */
json_t *report_head_new(const char *mode, const char *started_at, const char *finished_at,
                        size_t targets, size_t ok);

/* Writes head (borrowed; it must not hold "results") with a "results" array appended as its last
 * member, one result per line; result_at returns a new reference to result i (NULL: out of
 * memory). The format of every report tokenfleet writes. Returns TF_OK, TF_ERR_JSON or
 * TF_ERR_IO. */
enum tf_err report_write_stream(FILE *out, json_t *head, size_t n,
                                json_t *(*result_at)(void *ctx, size_t i), void *ctx);

#endif
