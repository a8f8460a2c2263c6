/* job.h: one run of provision or check: send every target's requests, write the outputs (env
 * files and report; for check also JUnit and Prometheus files), and say what happened. */
#ifndef TOKENFLEET_JOB_H
#define TOKENFLEET_JOB_H

#include "config/targets.h"
#include "core/driver.h"
#include "core/envfile.h"
#include "core/msg.h"

/* Exit codes, as documented in --help. */
enum {
    EXIT_ALL_OK = 0, /* every target got a token (and every output was written) */
    EXIT_SOME_FAILED = 1,
    EXIT_USAGE = 2, /* usage or inventory errors: nothing sent, nothing written */
};

struct job_options {
    struct driver_options driver;
    const char *env_dir;  /* one env file per ok target here; NULL = none */
    const char *env_file; /* one combined env file; NULL = none */
    const char *report;   /* JSON report path, "-" = stdout; NULL = none */
    int check;            /* check mode: no token is written anywhere */
    const char *junit;    /* check: JUnit XML path; NULL = none */
    const char *prom;     /* check: Prometheus text file path; NULL = none */
    enum env_format env_format;
    int dry_run;                /* print the requests, send nothing */
    const char *inventory_path; /* for messages that point into the inventory */
    unsigned shard_index;       /* --shard K/N, recorded in the report; count 0 = none */
    unsigned shard_count;
    const struct tf_msg *msg;
};

/* Runs the job for the selected targets (passwords resolved). Checks everything that can be
 * checked before sending (values the env format cannot hold, output folders), so that a mistake
 * sends nothing and writes nothing. Returns the process exit code. */
int job_run(const struct job_options *opt, const struct target_list *targets);

#endif
