/* job.c: a provision or check run, its parts in order. */
#include "core/job.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/atomic_file.h"
#include "core/base/clock.h"
#include "core/dry_run.h"
#include "core/preflight.h"
#include "core/report.h"
#include "core/sink.h"
#include "core/summary.h"

enum job_outcome job_run(const struct job_options *opt, const struct target_list *targets)
{
    const struct output_options *o = &opt->outputs;
    struct preflight_request pre = {.outputs = o, .verify = opt->driver.verify};
    if (preflight_run(&pre, targets, opt->msg) != 0)
        return JOB_REFUSED;
    if (opt->dry_run)
        return dry_run_print(targets, opt->msg) == 0 ? JOB_ALL_OK : JOB_SOME_FAILED;
    if (outputs_prepare(o, opt->msg) != 0)
        return JOB_REFUSED;

    struct report_meta meta = {.mode = opt->check ? "check" : "provision",
                               .with_tokens = !opt->check,
                               .shard_index = opt->shard_index,
                               .shard_count = opt->shard_count,
                               .shard_hash = opt->shard_hash,
                               .started_at = clock_wall()};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct result *results = calloc(targets->count + 1, sizeof *results);
    if (!results) {
        errorf(opt->msg, "out of memory");
        return JOB_SOME_FAILED;
    }
    if (o->report && strcmp(o->report, "-") != 0)
        meta.spool = report_spool_new(o->report, targets->count, meta.with_tokens);
    struct sink sink;
    sink_init(&sink, o, targets, opt->check, meta.spool, opt->msg);
    struct driver_options dopt = opt->driver;
    dopt.on_final = sink_target_final;
    dopt.on_tick = sink_tick;
    dopt.on_final_ctx = &sink;
    enum driver_stop stop;
    enum tf_err rc = driver_run(&dopt, targets, results, &stop);
    progress_clear(&sink.progress);
    if (o->env_dir)
        atomic_sync_dir(o->env_dir);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    meta.finished_at = clock_wall();
    if (rc != TF_OK)
        errorf(opt->msg, "the run stopped early: %s", tf_strerror(rc));
    else if (stop == DRIVER_DEADLINE)
        errorf(opt->msg, "--deadline reached: unfinished targets are cancelled");
    else if (stop == DRIVER_INTERRUPTED)
        errorf(opt->msg, "interrupted: unfinished targets are cancelled; writing what finished");

    int failed = outputs_write(o, &meta, targets, results, opt->msg);
    report_spool_free(meta.spool);
    struct summary_request sum = {.progress = &sink.progress,
                                  .stop_reason = stop == DRIVER_DEADLINE      ? "--deadline reached"
                                                 : stop == DRIVER_INTERRUPTED ? "interrupted"
                                                                              : NULL,
                                  .seconds = clock_seconds_between(t0, t1),
                                  .msg = opt->msg};
    summary_print(&sum, targets, results);
    if (!opt->check) /* check says it in its one summary line; its outputs are named by the user */
        outputs_name(o, sink.written, failed, opt->msg);

    int all_ok = rc == TF_OK && !failed && !sink.failed;
    for (size_t i = 0; i < targets->count && all_ok; i++)
        all_ok = results[i].status == TF_STATUS_OK;
    results_free(results, targets->count);
    if (stop == DRIVER_INTERRUPTED)
        return JOB_STOPPED;
    return all_ok ? JOB_ALL_OK : JOB_SOME_FAILED;
}
