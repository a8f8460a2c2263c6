/* prom.c: the Prometheus text exposition format (version 0.0.4). */
#include "core/prom.h"

int prom_escape(FILE *out, const char *s)
{
    int bad = 0;
    for (; *s && !bad; s++) {
        if (*s == '\\')
            bad = fputs("\\\\", out) < 0;
        else if (*s == '"')
            bad = fputs("\\\"", out) < 0;
        else if (*s == '\n')
            bad = fputs("\\n", out) < 0;
        else
            bad = fputc(*s, out) == EOF;
    }
    return bad ? -1 : 0;
}

static int labels(FILE *out, const struct target *t)
{
    int bad = fputs("{database=\"", out) < 0;
    bad |= prom_escape(out, t->db->name.value);
    bad |= fputs("\",region=\"", out) < 0;
    bad |= prom_escape(out, t->region->value);
    bad |= fputs("\",keyspace=\"", out) < 0;
    bad |= prom_escape(out, t->db->keyspace.value);
    bad |= fputs("\"}", out) < 0;
    return bad;
}

static int header(FILE *out, const char *name, const char *help)
{
    return fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name) < 0;
}

enum tf_err prom_write(FILE *out, const struct report_meta *meta, const struct target_list *targets,
                       const struct result *results)
{
    int bad = header(out, "tokenfleet_target_up",
                     "1 when the target's credentials got a token in the last run (and, with "
                     "--verify, reached its keyspace), else 0.");
    for (size_t i = 0; i < targets->count && !bad; i++) {
        bad |= fputs("tokenfleet_target_up", out) < 0;
        bad |= labels(out, &targets->items[i]);
        bad |= fprintf(out, " %d\n", results[i].status == TF_STATUS_OK) < 0;
    }
    bad |= header(out, "tokenfleet_auth_duration_seconds",
                  "Wall time from the target's first request to its last answer.");
    for (size_t i = 0; i < targets->count && !bad; i++) {
        bad |= fputs("tokenfleet_auth_duration_seconds", out) < 0;
        bad |= labels(out, &targets->items[i]);
        bad |= fprintf(out, " %.3f\n", (double)results[i].elapsed_ms / 1000.0) < 0;
    }
    bad |= header(out, "tokenfleet_attempts", "Requests sent for the target in the last run.");
    for (size_t i = 0; i < targets->count && !bad; i++) {
        bad |= fputs("tokenfleet_attempts", out) < 0;
        bad |= labels(out, &targets->items[i]);
        bad |= fprintf(out, " %zu\n", results[i].n_attempts) < 0;
    }
    size_t by_status[TF_STATUS_COUNT] = {0};
    for (size_t i = 0; i < targets->count; i++)
        by_status[results[i].status]++;
    bad |= header(out, "tokenfleet_targets", "Targets of the last run by status.");
    for (int s = TF_STATUS_OK; s < TF_STATUS_COUNT && !bad; s++)
        bad |= fprintf(out, "tokenfleet_targets{status=\"%s\"} %zu\n",
                       tf_status_name((enum tf_status)s), by_status[s]) < 0;
    bad |= header(out, "tokenfleet_token_issued_timestamp_seconds",
                  "When the target's token was issued, in seconds since the Unix epoch (targets "
                  "holding a token only).");
    for (size_t i = 0; i < targets->count && !bad; i++) {
        if (results[i].status != TF_STATUS_OK || !results[i].issued_at_ms)
            continue;
        bad |= fputs("tokenfleet_token_issued_timestamp_seconds", out) < 0;
        bad |= labels(out, &targets->items[i]);
        bad |= fprintf(out, " %lld.%03lld\n", (long long)(results[i].issued_at_ms / 1000),
                       (long long)(results[i].issued_at_ms % 1000)) < 0;
    }
    if (meta->cycle) {
        bad |= header(out, "tokenfleet_last_cycle_timestamp_seconds",
                      "When the agent (watch) last finished a cycle, in seconds since the Unix "
                      "epoch.");
        bad |=
            fprintf(out, "tokenfleet_last_cycle_timestamp_seconds %lld.%03ld\n",
                    (long long)meta->finished_at.tv_sec, meta->finished_at.tv_nsec / 1000000L) < 0;
    }
    bad |= header(out, "tokenfleet_last_run_timestamp_seconds",
                  "When the last run finished, in seconds since the Unix epoch.");
    bad |= fprintf(out, "tokenfleet_last_run_timestamp_seconds %lld.%03ld\n",
                   (long long)meta->finished_at.tv_sec, meta->finished_at.tv_nsec / 1000000L) < 0;
    return bad ? TF_ERR_IO : TF_OK;
}
