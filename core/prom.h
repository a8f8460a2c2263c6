/* prom.h: a run's results in the Prometheus text format, for node_exporter's textfile
 * collector (write it into the collector's folder; it is replaced atomically). */
#ifndef TOKENFLEET_PROM_H
#define TOKENFLEET_PROM_H

#include <stdio.h>

#include "core/target.h"
#include "core/report.h"
#include "core/result.h"

/* Writes tokenfleet_target_up, tokenfleet_auth_duration_seconds and tokenfleet_attempts per
 * target (labels database, region, keyspace), tokenfleet_targets per status (every status, 0
 * included, so that alerts on a status never see it vanish), and
 * tokenfleet_last_run_timestamp_seconds, each with HELP and TYPE. Returns TF_OK or TF_ERR_IO. */
enum tf_err prom_write(FILE *out, const struct report_meta *meta, const struct target_list *targets,
                       const struct result *results);

/* Writes s as a label value's content: backslash, double quote and newline escaped as the text
 * format requires. Returns 0, or -1 on a write error. */
int prom_escape(FILE *out, const char *s);

#endif
