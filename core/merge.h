/* merge.h: joining the JSON reports of the shards of one fleet (--shard K/N) into one report. */
#ifndef TOKENFLEET_MERGE_H
#define TOKENFLEET_MERGE_H

#include <stddef.h>
#include <stdio.h>

#include "core/base/errors.h"
#include "core/base/msg.h"

struct merge_outcome {
    size_t targets; /* results in the merged report */
    size_t failed;  /* of which not ok */
};

/* Reads the n reports at paths and writes one report to out: the same header (mode, earliest
 * started_at, latest finished_at, summary recounted) and every result, sorted by target name.
 * Refuses (TF_ERR_USAGE, each problem printed through msg with the file it is in) reports that
 * do not parse or are not tokenfleet reports, mixed modes, a target present twice, and, when the
 * reports carry their shard, shards missing, repeated or from different splits. Returns TF_OK,
 * TF_ERR_USAGE, TF_ERR_JSON, TF_ERR_IO or TF_ERR_NOMEM; sets *outcome on TF_OK. */
enum tf_err merge_reports(const char *const *paths, size_t n, FILE *out, const struct tf_msg *msg,
                          struct merge_outcome *outcome);

#endif
