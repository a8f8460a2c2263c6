/* sink.c: each target's outputs as soon as its result is final. */
#include "core/sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/text.h"
#include "core/envfile.h"

void sink_init(struct sink *s, const struct output_options *outputs,
               const struct target_list *targets, int check, struct report_spool *spool,
               const struct tf_msg *msg)
{
    memset(s, 0, sizeof *s);
    s->outputs = outputs;
    s->targets = targets;
    s->keep_tokens = !check;
    s->spool = spool;
    s->msg = msg;
    progress_init(&s->progress, msg && msg->out ? msg->out : stderr, targets->count,
                  msg ? msg->verbosity : 0);
}

/* A failed target leaves its existing file as it was. */
static void write_env_dir_file(struct sink *s, const struct target *t, const struct result *r)
{
    const struct output_options *o = s->outputs;
    char stamp[32];
    clock_format_utc_ms(r->issued_at_ms ? r->issued_at_ms : clock_wall_ms(), stamp);
    enum env_var bad = ENV_VAR_COUNT;
    enum tf_err rc = envfile_write_file(o->env_dir, t, &s->targets->env_names, r->token,
                                        o->env_format, stamp, &bad);
    if (rc == TF_OK) {
        s->written++;
        return;
    }
    s->failed++;
    if (rc == TF_ERR_UNSAFE) {
        errorf(s->msg, "%s: %s cannot be written in the %s format; file not written", t->name,
               s->targets->env_names.name[bad], o->env_format == ENV_FORMAT_SH ? "sh" : "portable");
        return;
    }
    int saved = errno;
    char *path = envfile_path(o->env_dir, t);
    errorf(s->msg, "%s: cannot write %s: %s", t->name, path ? path : "env file",
           rc == TF_ERR_IO ? strerror(saved) : tf_strerror(rc));
    free(path);
}

void sink_target_final(void *ctx, size_t i, struct result *r)
{
    struct sink *s = ctx;
    const struct target *t = &s->targets->items[i];
    if (s->outputs->env_dir && r->status == TF_STATUS_OK)
        write_env_dir_file(s, t, r);
    int in_report = report_spool_add(s->spool, i, t, r);
    /* A token is let go (wiped) as soon as no output still needs it: only the combined env
     * file, and a report that must be rendered at the end, do. */
    if (!s->outputs->env_file && (!s->outputs->report || in_report || !s->keep_tokens)) {
        text_free_secret(r->token);
        r->token = NULL;
    }
    progress_done(&s->progress, r->status);
}

void sink_tick(void *ctx)
{
    struct sink *s = ctx;
    progress_tick(&s->progress);
}
