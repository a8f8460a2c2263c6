/* summary.h: what a run says at its end: on a terminal a table of the results; elsewhere (cron,
 * CI logs) a line per failed target (cancelled ones counted in one line); then one summary line
 * with the counts by status. */
#ifndef TOKENFLEET_SUMMARY_H
#define TOKENFLEET_SUMMARY_H

#include "core/base/msg.h"
#include "core/progress.h"
#include "core/result.h"
#include "core/target.h"

struct summary_request {
    const struct progress *progress; /* the run's: a terminal, colours */
    const char *stop_reason;         /* why unfinished targets were cancelled ("--deadline
                                        reached"); NULL when the run was not cut short */
    double seconds;                  /* the run's wall time */
    const struct tf_msg *msg;
};

/* Prints the results as a table to p->out: target, status, HTTP, attempts, time, reason; every
 * target that failed, and the ok ones too when there are at most 40 rows in all. */
void summary_table(const struct progress *p, const struct target_list *targets,
                   const struct result *results);

/* Prints the end of the run (see above). */
void summary_print(const struct summary_request *req, const struct target_list *targets,
                   const struct result *results);

#endif
