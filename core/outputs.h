/* outputs.h: where a run's results go (env files, report, JUnit, Prometheus), getting those
 * places ready before the run, and writing the whole-run outputs after it. */
#ifndef TOKENFLEET_OUTPUTS_H
#define TOKENFLEET_OUTPUTS_H

#include "core/base/msg.h"
#include "core/envfile.h"
#include "core/report.h"
#include "core/result.h"
#include "core/target.h"

/* The outputs a run was asked for; every path is the user's, NULL when not asked for. */
struct output_options {
    const char *env_dir;  /* one env file per ok target here */
    const char *env_file; /* one combined env file */
    enum env_format env_format;
    const char *report; /* JSON report; "-" = standard output */
    const char *junit;  /* JUnit XML (check) */
    const char *prom;   /* Prometheus text file (check) */
};

/* Which whole-run outputs could not be written (each was reported as it failed). */
enum {
    OUTPUT_FAILED_ENV_FILE = 1,
    OUTPUT_FAILED_REPORT = 2,
    OUTPUT_FAILED_JUNIT = 4,
    OUTPUT_FAILED_PROM = 8
};

/* Makes the places ready once the run may go ahead (preflight.h found nothing wrong): creates
 * env_dir (0700, with its parents) and removes the temp files that a killed earlier run left
 * beside each output. Returns 0, or -1 when env_dir cannot be made (printed through msg). */
int outputs_prepare(const struct output_options *o, const struct tf_msg *msg);

/* Writes the combined env file (ok targets of results that still hold their token), the report,
 * JUnit and Prometheus files that o asks for. Returns a mask of OUTPUT_FAILED_* (0: all
 * written); each failure is printed through msg. */
int outputs_write(const struct output_options *o, const struct report_meta *meta,
                  const struct target_list *targets, const struct result *results,
                  const struct tf_msg *msg);

/* Names where provision's results went (only what was written): a line each through msg.
 * env_files: how many per-target env files were written; failed as outputs_write returned. */
void outputs_name(const struct output_options *o, size_t env_files, int failed,
                  const struct tf_msg *msg);

#endif
