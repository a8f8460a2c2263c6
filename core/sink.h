/* sink.h: what happens as each target's result becomes final, while the run goes on: its env
 * file is written (so that a run killed late still leaves every token it had obtained), its
 * report line rendered, its token let go once no output needs it, and the progress line moved. */
#ifndef TOKENFLEET_SINK_H
#define TOKENFLEET_SINK_H

#include <stddef.h>

#include "core/base/msg.h"
#include "core/outputs.h"
#include "core/progress.h"
#include "core/report.h"
#include "core/result.h"
#include "core/target.h"

struct sink {
    const struct output_options *outputs; /* borrowed */
    const struct target_list *targets;    /* borrowed */
    int keep_tokens;                      /* tokens are written nowhere (check): let go at once */
    struct progress progress;             /* the live line */
    struct report_spool *spool; /* the report's lines, rendered as targets finish; may be NULL;
                                   borrowed */
    const struct tf_msg *msg;
    size_t written, failed; /* per-target env files */
};

/* Sets s up; progress prints to msg's stream. */
void sink_init(struct sink *s, const struct output_options *outputs,
               const struct target_list *targets, int check, struct report_spool *spool,
               const struct tf_msg *msg);

/* The driver's on_final callback (ctx is a struct sink): target i's result r is final. */
void sink_target_final(void *ctx, size_t i, struct result *r);

/* The driver's on_tick callback (ctx is a struct sink): moves the progress line. */
void sink_tick(void *ctx);

#endif
