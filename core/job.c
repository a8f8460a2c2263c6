/* job.c: a provision or check run, from selected targets to outputs and a summary. */
#include "core/job.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/junit.h"
#include "core/prom.h"
#include "core/progress.h"
#include "core/report.h"
#include "core/request.h"
#include "core/signals.h"
#include "core/text.h"
#include "version.h"

static const struct tf_mark *var_mark(const struct target *t, enum env_var v)
{
    switch (v) {
    case ENV_CLUSTER_ID:
        return &t->db->id.at;
    case ENV_CLUSTER_REGION:
        return &t->region->at;
    case ENV_DB_USERNAME:
        return &t->db->username.at;
    default:
        return &t->db->keyspace.at;
    }
}

/* Inventory values that the chosen env format cannot hold are refused before anything is sent:
 * half-escaped values are worse than none. Returns the number of errors printed. */
static size_t check_env_values(const struct job_options *opt, const struct target_list *targets)
{
    size_t errors = 0;
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        enum env_var bad;
        if (envfile_check_target(t, opt->env_format, &bad) == TF_OK)
            continue;
        const struct tf_mark *at = var_mark(t, bad);
        errorf(opt->msg,
               "%s:%u:%u: %s of %s holds characters that not every env-file reader reads back "
               "unchanged (portable values use only A-Z a-z 0-9 _ @ %% + = : , . / -); change "
               "it, or pass --env-format sh if only shells read these files",
               opt->inventory_path, at->line, at->column, envfile_var_name(bad), t->name);
        errors++;
    }
    return errors;
}

/* mkdir -p with mode 0700 for what is created. Returns 0 or -1 (errno set). */
static int make_dirs(const char *path)
{
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int rc = 0;
    for (char *p = copy + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *p = saved;
        if (!saved)
            break;
    }
    free(copy);
    struct stat st;
    if (rc == 0 && stat(path, &st) != 0)
        rc = -1;
    else if (rc == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR; /* mkdir's EEXIST would say nothing useful */
        rc = -1;
    }
    return rc;
}

/* The folder a file will be written into must exist and be writable. */
static int check_parent(const struct tf_msg *msg, const char *option, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir)
        return -1;
    int rc = access(dir, W_OK | X_OK);
    if (rc != 0)
        errorf(msg, "%s %s: cannot write into %s: %s", option, path, dir, strerror(errno));
    free(dir);
    return rc;
}

/* Temp files of an earlier run that was killed while writing. */
static void remove_stale(const struct job_options *opt, const char *dir, const char *base)
{
    size_t n = atomic_remove_stale(dir, base);
    if (n)
        verbosef(opt->msg, "removed %zu temp file%s left in %s by a killed run", n,
                 n == 1 ? "" : "s", dir);
}

static void remove_stale_of(const struct job_options *opt, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (dir)
        remove_stale(opt, dir, slash ? slash + 1 : path);
    free(dir);
}

/* In the combined file each name is PREFIX_ASTRA_...; a shell variable cannot start with a
 * digit, so neither can the prefix (database names may). */
static size_t check_env_prefixes(const struct job_options *opt, const struct target_list *targets)
{
    size_t errors = 0;
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        if (!isdigit((unsigned char)t->env_prefix[0]))
            continue;
        errorf(opt->msg,
               "%s:%u:%u: --env-file: %s would give variables named %s_ASTRA_..., and a variable "
               "name cannot start with a digit; rename the database to start with a letter, or "
               "use --env-dir",
               opt->inventory_path, t->db->name.at.line, t->db->name.at.column, t->name,
               t->env_prefix);
        errors++;
    }
    return errors;
}

/* check --verify needs to know where each target's REST API is. */
static size_t check_keyspace_urls(const struct job_options *opt, const struct target_list *targets)
{
    size_t errors = 0;
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        if (t->keyspace_url)
            continue;
        errorf(opt->msg,
               "%s:%u:%u: --verify: no REST API URL can be derived from auth_url %s for %s; set "
               "rest_url (e.g. http://HOST:8082) for this database",
               opt->inventory_path, t->db->auth_url.at.line, t->db->auth_url.at.column, t->url,
               t->name);
        errors++;
    }
    return errors;
}

static int preflight(const struct job_options *opt, const struct target_list *targets)
{
    int bad = 0;
    if (opt->env_file && check_env_prefixes(opt, targets))
        bad = 1;
    if ((opt->env_dir || opt->env_file) && check_env_values(opt, targets))
        bad = 1;
    if (opt->env_file && check_parent(opt->msg, "--env-file", opt->env_file) != 0)
        bad = 1;
    const char *const files[][2] = {
        {"--report", opt->report}, {"--junit", opt->junit}, {"--prom", opt->prom}};
    for (size_t i = 0; i < 3; i++)
        if (files[i][1] && strcmp(files[i][1], "-") != 0 &&
            check_parent(opt->msg, files[i][0], files[i][1]) != 0)
            bad = 1;
    if (opt->driver.verify && check_keyspace_urls(opt, targets))
        bad = 1;
    if (!bad && opt->env_dir && !opt->dry_run) {
        errno = 0;
        if (make_dirs(opt->env_dir) != 0 || access(opt->env_dir, W_OK | X_OK) != 0) {
            errorf(opt->msg, "--env-dir %s: cannot create or write the folder: %s", opt->env_dir,
                   strerror(errno));
            bad = 1;
        } else {
            remove_stale(opt, opt->env_dir, NULL);
        }
    }
    if (!bad && !opt->dry_run) {
        if (opt->env_file)
            remove_stale_of(opt, opt->env_file);
        for (size_t i = 0; i < 3; i++)
            if (files[i][1] && strcmp(files[i][1], "-") != 0)
                remove_stale_of(opt, files[i][1]);
    }
    return bad;
}

static int dry_run(const struct job_options *opt, const struct target_list *targets)
{
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        unsigned char bin[16];
        char id[REQUEST_ID_LEN + 1];
        request_new_id(bin, id);
        char *body = request_body(t->db->username.value, "********");
        if (!body)
            return EXIT_SOME_FAILED;
        printf("# %s\nPOST %s\nContent-Type: application/json\nAccept: application/json\n"
               "User-Agent: tokenfleet/%s\nx-cassandra-request-id: %s\n\n%s\n\n",
               t->name, t->url, TOKENFLEET_VERSION, id, body);
        free(body);
    }
    if (fflush(stdout) != 0) {
        errorf(opt->msg, "cannot write to standard output: %s", strerror(errno));
        return EXIT_SOME_FAILED;
    }
    infof(opt->msg, "dry run: %zu request%s not sent (the password is shown as ********)",
          targets->count, targets->count == 1 ? "" : "s");
    return EXIT_ALL_OK;
}

static void write_header(FILE *f, const char *what, const char *stamp)
{
    fprintf(f, "# %s: written by tokenfleet %s at %s. Holds a secret token: keep it private.\n",
            what, TOKENFLEET_VERSION, stamp);
}

/* What happens as each target finishes: its env file is written (so that a run killed late
 * still leaves every token it had obtained) and the progress line moves. */
struct on_final {
    const struct job_options *opt;
    const struct target_list *targets;
    struct progress progress;
    size_t written, failed;     /* env files */
    struct report_spool *spool; /* the report's lines, rendered as targets finish; may be NULL */
};

static void write_env_dir_file(struct on_final *w, size_t i, struct result *r)
{
    const struct job_options *opt = w->opt;
    const struct target *t = &w->targets->items[i];
    if (r->status != TF_STATUS_OK)
        return; /* a failed target leaves its existing file as it was */
    char stamp[32];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    report_format_time(now, stamp);
    char *path = text_printf("%s/%s.%s.env", opt->env_dir, t->db->name.value, t->region->value);
    struct atomic_out m;
    enum env_var bad = ENV_VAR_COUNT;
    int rc = path && atomic_out_open(&m, path, 0600) == 0 ? 0 : -1;
    if (rc == 0) {
        write_header(m.f, t->name, stamp);
        if (envfile_write_target(m.f, t, r->token, "", opt->env_format, &bad) != TF_OK)
            rc = -1;
        if (rc == 0)
            rc = atomic_out_commit(&m, 0); /* the folder is synced once, after the run */
        else
            atomic_out_discard(&m);
    }
    if (rc != 0) {
        if (bad != ENV_VAR_COUNT)
            errorf(opt->msg, "%s: %s cannot be written in the %s format; file not written", t->name,
                   envfile_var_name(bad), opt->env_format == ENV_FORMAT_SH ? "sh" : "portable");
        else
            errorf(opt->msg, "%s: cannot write %s: %s", t->name, path ? path : "env file",
                   strerror(errno));
        w->failed++;
    } else {
        w->written++;
    }
    free(path);
}

static void tick(void *ctx)
{
    struct on_final *w = ctx;
    progress_tick(&w->progress);
}

static void target_final(void *ctx, size_t i, struct result *r)
{
    struct on_final *w = ctx;
    if (w->opt->env_dir)
        write_env_dir_file(w, i, r);
    int in_report = report_spool_add(w->spool, i, &w->targets->items[i], r);
    /* A token is let go (wiped) as soon as no output still needs it: only the combined env
     * file, and a report that must be rendered at the end, do. */
    if (!w->opt->env_file && (!w->opt->report || in_report || w->opt->check)) {
        text_free_secret(r->token);
        r->token = NULL;
    }
    progress_done(&w->progress, r->status);
}

static int write_env_file(const struct job_options *opt, const struct target_list *targets,
                          const struct result *results, const char *stamp)
{
    struct atomic_out m;
    if (atomic_out_open(&m, opt->env_file, 0600) != 0) {
        errorf(opt->msg, "cannot write %s: %s", opt->env_file, strerror(errno));
        return -1;
    }
    write_header(m.f, "all targets", stamp);
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        if (results[i].status != TF_STATUS_OK)
            continue;
        char *prefix = text_printf("%s_", t->env_prefix);
        enum env_var bad = ENV_VAR_COUNT;
        fprintf(m.f, "# %s\n", t->name);
        enum tf_err rc =
            prefix ? envfile_write_target(m.f, t, results[i].token, prefix, opt->env_format, &bad)
                   : TF_ERR_NOMEM;
        free(prefix);
        if (rc != TF_OK) {
            errorf(opt->msg, "%s: %s cannot be written (%s); %s not written", t->name,
                   envfile_var_name(bad), tf_strerror(rc), opt->env_file);
            atomic_out_discard(&m);
            return -1;
        }
    }
    if (atomic_out_commit(&m, 1) != 0) {
        errorf(opt->msg, "cannot write %s: %s", opt->env_file, strerror(errno));
        return -1;
    }
    return 0;
}

typedef enum tf_err (*render_fn)(FILE *out, const struct report_meta *meta,
                                 const struct target_list *targets, const struct result *results);

/* Writes one whole-run output (report, JUnit, Prometheus) to path, or to stdout for "-". */
static int write_output(const struct job_options *opt, const char *path, mode_t mode,
                        render_fn render, const struct target_list *targets,
                        const struct result *results, const struct report_meta *meta)
{
    if (!strcmp(path, "-")) {
        enum tf_err rc = render(stdout, meta, targets, results);
        if (rc == TF_OK && fflush(stdout) == 0)
            return 0;
        errorf(opt->msg, "cannot write to standard output: %s",
               rc == TF_OK || rc == TF_ERR_IO ? strerror(errno) : tf_strerror(rc));
        return -1;
    }
    struct atomic_out m;
    if (atomic_out_open(&m, path, mode) != 0) {
        errorf(opt->msg, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    enum tf_err rc = render(m.f, meta, targets, results);
    if (rc != TF_OK && rc != TF_ERR_IO) {
        atomic_out_discard(&m);
        errorf(opt->msg, "cannot build %s: %s", path, tf_strerror(rc));
        return -1;
    }
    if (rc != TF_OK || atomic_out_commit(&m, 1) != 0) {
        int saved = errno;
        atomic_out_discard(&m);
        errno = saved;
        errorf(opt->msg, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static double seconds_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* On a terminal a table; elsewhere (cron, CI logs) a line per failed target. Then one line. */
static void summarize(const struct job_options *opt, const struct progress *progress,
                      const struct target_list *targets, const struct result *results,
                      double seconds)
{
    size_t by_status[TF_STATUS_COUNT] = {0};
    if (progress->table)
        progress_table(progress, targets, results);
    for (size_t i = 0; i < targets->count; i++) {
        by_status[results[i].status]++;
        /* Off a terminal: provision names each failed target (its cron mail says which);
         * check keeps to one line, its details being in the report, JUnit or metrics. */
        if (results[i].status != TF_STATUS_OK && !progress->table && !opt->check)
            errorf(opt->msg, "%s: %s: %s", targets->items[i].name,
                   tf_status_name(results[i].status), results[i].error ? results[i].error : "");
    }
    char detail[256] = "";
    size_t len = 0;
    for (int s = TF_STATUS_AUTH_FAILED; s < TF_STATUS_COUNT; s++)
        if (by_status[s] && len < sizeof detail)
            len +=
                (size_t)snprintf(detail + len, sizeof detail - len, "%s%s %zu", len ? ", " : " (",
                                 tf_status_name((enum tf_status)s), by_status[s]);
    if (len && len < sizeof detail - 1)
        strcat(detail, ")");
    size_t ok = by_status[TF_STATUS_OK];
    infof(opt->msg, "tokenfleet: %zu target%s: %zu ok, %zu failed%s in %.2f s", targets->count,
          targets->count == 1 ? "" : "s", ok, targets->count - ok, detail, seconds);
}

/* Which whole-run outputs could not be written (each was reported as it failed). */
enum { FAILED_ENV_FILE = 1, FAILED_REPORT = 2, FAILED_JUNIT = 4, FAILED_PROM = 8 };

/* Where provision's results went: only what was written is named. */
static void name_outputs(const struct job_options *opt, size_t env_files, int failed)
{
    if (opt->env_dir)
        infof(opt->msg, "env files: %zu written to %s/", env_files, opt->env_dir);
    if (opt->env_file && !(failed & FAILED_ENV_FILE))
        infof(opt->msg, "combined env file: %s", opt->env_file);
    const struct {
        const char *what, *path;
        int flag;
    } outputs[] = {{"report", opt->report, FAILED_REPORT},
                   {"JUnit", opt->junit, FAILED_JUNIT},
                   {"Prometheus", opt->prom, FAILED_PROM}};
    for (size_t i = 0; i < 3; i++)
        if (outputs[i].path && strcmp(outputs[i].path, "-") != 0 && !(failed & outputs[i].flag))
            infof(opt->msg, "%s: %s", outputs[i].what, outputs[i].path);
    if (!opt->env_dir && !opt->env_file && !opt->report && !opt->junit && !opt->prom)
        infof(opt->msg, "nothing written (no output option given)");
}

int job_run(const struct job_options *opt, const struct target_list *targets)
{
    if (preflight(opt, targets))
        return EXIT_USAGE;
    if (opt->dry_run)
        return dry_run(opt, targets);

    struct report_meta meta = {.mode = opt->check ? "check" : "provision",
                               .with_tokens = !opt->check,
                               .shard_index = opt->shard_index,
                               .shard_count = opt->shard_count};
    struct timespec t0, t1;
    clock_gettime(CLOCK_REALTIME, &meta.started_at);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct result *results = calloc(targets->count + 1, sizeof *results);
    if (!results) {
        errorf(opt->msg, "out of memory");
        return EXIT_SOME_FAILED;
    }
    struct on_final fin = {.opt = opt, .targets = targets};
    if (opt->report && strcmp(opt->report, "-") != 0)
        fin.spool = report_spool_new(opt->report, targets->count, meta.with_tokens);
    meta.spool = fin.spool;
    progress_init(&fin.progress, opt->msg && opt->msg->out ? opt->msg->out : stderr, targets->count,
                  opt->msg ? opt->msg->verbosity : 0);
    struct driver_options dopt = opt->driver;
    dopt.on_final = target_final;
    dopt.on_tick = tick;
    dopt.on_final_ctx = &fin;
    enum driver_stop stop;
    enum tf_err rc = driver_run(&dopt, targets, results, &stop);
    progress_clear(&fin.progress);
    if (opt->env_dir)
        atomic_sync_dir(opt->env_dir);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_REALTIME, &meta.finished_at);
    if (rc != TF_OK)
        errorf(opt->msg, "the run stopped early: %s", tf_strerror(rc));
    else if (stop == DRIVER_DEADLINE)
        errorf(opt->msg, "--deadline reached: unfinished targets are cancelled");
    else if (stop == DRIVER_INTERRUPTED)
        errorf(opt->msg, "interrupted: unfinished targets are cancelled; writing what finished");

    char stamp[32];
    report_format_time(meta.finished_at, stamp);
    int failed = 0;
    if (opt->env_file && write_env_file(opt, targets, results, stamp) != 0)
        failed |= FAILED_ENV_FILE;
    /* The report holds tokens (provision): 0600. JUnit and Prometheus files never do, and
     * are read by other users (a CI agent, node_exporter): 0644. */
    if (opt->report &&
        write_output(opt, opt->report, 0600, report_write, targets, results, &meta) != 0)
        failed |= FAILED_REPORT;
    if (opt->junit &&
        write_output(opt, opt->junit, 0644, junit_write, targets, results, &meta) != 0)
        failed |= FAILED_JUNIT;
    if (opt->prom && write_output(opt, opt->prom, 0644, prom_write, targets, results, &meta) != 0)
        failed |= FAILED_PROM;
    report_spool_free(fin.spool);

    summarize(opt, &fin.progress, targets, results, seconds_between(t0, t1));
    if (!opt->check) /* check says it in its one summary line; its outputs are named by the user */
        name_outputs(opt, fin.written, failed);

    int all_ok = rc == TF_OK && !failed && !fin.failed;
    for (size_t i = 0; i < targets->count && all_ok; i++)
        all_ok = results[i].status == TF_STATUS_OK;
    results_free(results, targets->count);
    if (signals_received())              /* during the run, or while the outputs were written */
        return 128 + signals_received(); /* as shells report a death by that signal */
    return all_ok ? EXIT_ALL_OK : EXIT_SOME_FAILED;
}
