/* job.h: one run of provision or check, in order: refuse what cannot go ahead (preflight.h),
 * make the output places ready (outputs.h), send every target's requests (driver.h) while each
 * final result goes to its outputs (sink.h), write the whole-run outputs, and say what happened
 * (summary.h). */
#ifndef TOKENFLEET_JOB_H
#define TOKENFLEET_JOB_H

#include "core/base/msg.h"
#include "core/driver.h"
#include "core/outputs.h"
#include "core/target.h"

struct job_options {
    struct driver_options driver; /* its on_final/on_tick are the job's own */
    struct output_options outputs;
    int check;            /* check mode: no token is written anywhere */
    int dry_run;          /* print the requests, send nothing */
    unsigned shard_index; /* --shard K/N, recorded in the report; count 0 = none */
    unsigned shard_count;
    unsigned shard_hash; /* the version of the hash that made the split, for the report */
    const struct tf_msg *msg;
};

/* How a job ended; cmd/ turns it into an exit code. */
enum job_outcome {
    JOB_ALL_OK,      /* every target ok and every output written */
    JOB_SOME_FAILED, /* a target failed, or an output could not be written */
    JOB_REFUSED,     /* the run could not go ahead (printed): nothing sent, nothing written */
    JOB_STOPPED,     /* stopped by stop_fd (a signal): what finished was written */
};

/* Runs the job for the selected targets (passwords resolved). */
enum job_outcome job_run(const struct job_options *opt, const struct target_list *targets);

#endif
