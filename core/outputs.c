/* outputs.c: output places made ready before a run; whole-run outputs written after it. */
#include "core/outputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/atomic_file.h"
#include "core/base/clock.h"
#include "core/base/path.h"
#include "core/base/text.h"
#include "core/junit.h"
#include "core/prom.h"

static int is_file(const char *path)
{
    return path && strcmp(path, "-") != 0;
}

/* Temp files of an earlier run that was killed while writing. */
static void remove_stale(const char *dir, const char *base, const struct tf_msg *msg)
{
    size_t n = atomic_remove_stale(dir, base);
    if (n)
        verbosef(msg, "removed %zu temp file%s left in %s by a killed run", n, n == 1 ? "" : "s",
                 dir);
}

static void remove_stale_of(const char *path, const struct tf_msg *msg)
{
    char *dir = path_dirname(path);
    if (dir)
        remove_stale(dir, path_basename(path), msg);
    free(dir);
}

int outputs_prepare(const struct output_options *o, const struct tf_msg *msg)
{
    if (o->env_dir) {
        errno = 0;
        if (path_mkdirs(o->env_dir, 0700) != 0 || access(o->env_dir, W_OK | X_OK) != 0) {
            errorf(msg, "--env-dir %s: cannot create or write the folder: %s", o->env_dir,
                   strerror(errno));
            return -1;
        }
        remove_stale(o->env_dir, NULL, msg);
    }
    const char *files[] = {o->env_file, o->report, o->junit, o->prom};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (is_file(files[i]))
            remove_stale_of(files[i], msg);
    return 0;
}

/* The combined file never shrinks because of a failure: a target of the inventory that failed
 * this run, or that --limit or --shard left out, keeps the entry the file already held. */
static int write_env_file(const struct output_options *o, const struct target_list *targets,
                          const struct result *results, const char *stamp, const struct tf_msg *msg)
{
    size_t n = targets->total;
    char **old = calloc(n + 1, sizeof *old);
    const char **tokens = calloc(n + 1, sizeof *tokens);
    int64_t *issued = calloc(n + 1, sizeof *issued);
    enum tf_err rc = old && tokens && issued ? TF_OK : TF_ERR_NOMEM;
    /* A file that cannot be read is not replaced: that would drop the entries it holds. */
    if (rc == TF_OK && (rc = envfile_read_combined(o->env_file, targets, old, issued)) == TF_ERR_IO)
        errorf(msg, "%s: cannot read the entries it holds, so it is not replaced: %s", o->env_file,
               strerror(errno));
    size_t kept = 0;
    if (rc == TF_OK) {
        for (size_t i = 0; i < n; i++) {
            if (i < targets->count && results[i].status == TF_STATUS_OK && results[i].token) {
                tokens[i] = results[i].token;
                /* An application token has no issue time: its stamp is when it was proven. */
                issued[i] = results[i].issued_at_ms ? results[i].issued_at_ms : clock_wall_ms();
            } else if (old[i] && !(i < targets->count && targets->items[i].db->app_token &&
                                   results[i].status == TF_STATUS_AUTH_FAILED)) {
                /* What the file held stays, unless the run proved it refused: an application
                 * token refused now is revoked or expired, never to work again. */
                tokens[i] = old[i];
                kept++;
            }
        }
        size_t bad_target = 0;
        enum env_var bad = ENV_VAR_COUNT;
        rc = envfile_write_combined(o->env_file, targets, tokens, issued, o->env_format, stamp,
                                    &bad_target, &bad);
        if (rc == TF_ERR_UNSAFE)
            errorf(msg, "%s: %s cannot be written in the %s format; %s not written",
                   targets->items[bad_target].name, targets->env_names.name[bad],
                   o->env_format == ENV_FORMAT_SH ? "sh" : "portable", o->env_file);
        else if (rc == TF_ERR_IO)
            errorf(msg, "cannot write %s: %s", o->env_file, strerror(errno));
    }
    if (rc == TF_ERR_NOMEM)
        errorf(msg, "cannot write %s: out of memory", o->env_file);
    else if (rc == TF_OK && kept)
        verbosef(msg, "%s: kept the earlier entries of %zu target%s not ok in this run",
                 o->env_file, kept, kept == 1 ? "" : "s");
    for (size_t i = 0; old && i < n; i++)
        text_free_secret(old[i]);
    free(old);
    free(tokens);
    free(issued);
    return rc == TF_OK ? 0 : -1;
}

typedef enum tf_err (*render_fn)(FILE *out, const struct report_meta *meta,
                                 const struct target_list *targets, const struct result *results);

/* Writes one whole-run output (report, JUnit, Prometheus) to path, or to stdout for "-". */
static int write_output(const char *path, mode_t mode, render_fn render,
                        const struct target_list *targets, const struct result *results,
                        const struct report_meta *meta, const struct tf_msg *msg)
{
    if (!strcmp(path, "-")) {
        enum tf_err rc = render(stdout, meta, targets, results);
        if (rc == TF_OK && fflush(stdout) == 0)
            return 0;
        errorf(msg, "cannot write to standard output: %s",
               rc == TF_OK || rc == TF_ERR_IO ? strerror(errno) : tf_strerror(rc));
        return -1;
    }
    struct atomic_out m;
    if (atomic_out_open(&m, path, mode) != 0) {
        errorf(msg, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    enum tf_err rc = render(m.f, meta, targets, results);
    if (rc != TF_OK && rc != TF_ERR_IO) {
        atomic_out_discard(&m);
        errorf(msg, "cannot build %s: %s", path, tf_strerror(rc));
        return -1;
    }
    if (rc != TF_OK || atomic_out_commit(&m, 1) != 0) {
        int saved = errno;
        atomic_out_discard(&m);
        errno = saved;
        errorf(msg, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int outputs_write(const struct output_options *o, const struct report_meta *meta,
                  const struct target_list *targets, const struct result *results,
                  const struct tf_msg *msg)
{
    char stamp[32];
    clock_format_utc(meta->finished_at, stamp);
    int failed = 0;
    if (o->env_file && write_env_file(o, targets, results, stamp, msg) != 0)
        failed |= OUTPUT_FAILED_ENV_FILE;
    /* The report holds tokens (provision): 0600. JUnit and Prometheus files never do, and
     * are read by other users (a CI agent, node_exporter): 0644. */
    if (o->report && write_output(o->report, 0600, report_write, targets, results, meta, msg) != 0)
        failed |= OUTPUT_FAILED_REPORT;
    if (o->junit && write_output(o->junit, 0644, junit_write, targets, results, meta, msg) != 0)
        failed |= OUTPUT_FAILED_JUNIT;
    if (o->prom && write_output(o->prom, 0644, prom_write, targets, results, meta, msg) != 0)
        failed |= OUTPUT_FAILED_PROM;
    return failed;
}

void outputs_name(const struct output_options *o, size_t env_files, int failed,
                  const struct tf_msg *msg)
{
    if (o->env_dir)
        infof(msg, "env files: %zu written to %s/", env_files, o->env_dir);
    if (o->env_file && !(failed & OUTPUT_FAILED_ENV_FILE))
        infof(msg, "combined env file: %s", o->env_file);
    const struct {
        const char *what, *path;
        int flag;
    } outputs[] = {{"report", o->report, OUTPUT_FAILED_REPORT},
                   {"JUnit", o->junit, OUTPUT_FAILED_JUNIT},
                   {"Prometheus", o->prom, OUTPUT_FAILED_PROM}};
    for (size_t i = 0; i < 3; i++)
        if (is_file(outputs[i].path) && !(failed & outputs[i].flag))
            infof(msg, "%s: %s", outputs[i].what, outputs[i].path);
    if (!o->env_dir && !o->env_file && !o->report && !o->junit && !o->prom)
        infof(msg, "nothing written (no output option given)");
}
