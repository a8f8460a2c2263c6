/* secret.c: password and application-token references to the secrets they name. */
#include "config/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/app_token.h"
#include "core/base/clock.h"
#include "core/base/hash.h"
#include "core/base/text.h"
#include "core/base/utf8.h"

extern char **environ;

/* What a secret is called in messages about it. */
struct secret_words {
    const char *noun;        /* "password", "token" */
    const char *text_reason; /* why it must be UTF-8 text */
};

static const struct secret_words password_words = {
    "password", "a password is sent as a JSON string, which must be"};
static const struct secret_words token_words = {"token",
                                                "an application token is " APP_TOKEN_SHAPE};

/* What is wrong with a password file. */
enum file_problem {
    FILE_OK,
    FILE_NOMEM,
    FILE_IO,       /* errno says why */
    FILE_NOT_TEXT, /* not a regular file, or a NUL byte in it */
    FILE_TOOBIG,   /* over SECRET_FILE_MAX_BYTES */
    FILE_CR,       /* a carriage return anywhere */
    FILE_NEWLINES, /* more than one newline at the end */
    FILE_EMPTY,    /* nothing but one newline, or nothing */
    FILE_NOT_UTF8,
};

/* Reads at most SECRET_FILE_MAX_BYTES of path (and one newline after them) into a new string,
 * the newline stripped. *mode and *gid get the file's permission bits and group. */
static enum file_problem read_secret_file(const char *path, char **out, mode_t *mode, gid_t *gid)
{
    enum file_problem rc = FILE_IO;
    char buf[SECRET_FILE_MAX_BYTES + 2]; /* the password, \n, and one byte to see "too big" */
    size_t len = 0;
    /* O_NONBLOCK: a FIFO or a terminal named by mistake must not hang validate. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return FILE_IO;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto out;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = FILE_NOT_TEXT;
        goto out;
    }
    *mode = st.st_mode & 07777;
    *gid = st.st_gid;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf) {
            rc = FILE_TOOBIG;
            goto out;
        }
    }
    /* Checked before anything is stripped: each would be sent as part of the password. */
    if (memchr(buf, '\0', len))
        rc = FILE_NOT_TEXT; /* it would be cut there, silently */
    else if (memchr(buf, '\r', len))
        rc = FILE_CR; /* a file saved with Windows line ends */
    else if (len >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n')
        rc = FILE_NEWLINES;
    else {
        if (len && buf[len - 1] == '\n')
            len--;
        size_t skip = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0; /* an editor's BOM */
        if (len > SECRET_FILE_MAX_BYTES)
            rc = FILE_TOOBIG;
        else if (len == skip)
            rc = FILE_EMPTY;
        else if (utf8_valid_prefix(buf + skip, len - skip) != len - skip)
            rc = FILE_NOT_UTF8;
        else
            rc = (*out = strndup(buf + skip, len - skip)) ? FILE_OK : FILE_NOMEM;
    }
out:
    explicit_bzero(buf, sizeof buf);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* A file only its owner and our own group may read, and nobody else write: what a Kubernetes
 * Secret mounted with fsGroup and defaultMode 0440 is (the pod's user cannot own it, but the
 * group is the pod's). Not worth a warning. */
static int own_group_readable(mode_t mode, gid_t gid)
{
    if ((mode & 077) != 040)
        return 0;
    if (gid == getegid())
        return 1;
    gid_t groups[256];
    int n = getgroups(256, groups);
    for (int i = 0; i < n; i++)
        if (groups[i] == gid)
            return 1;
    return 0;
}

/* --- password commands --- */

/* How often a command that closed its output but has not exited yet is looked at. */
#define REAP_POLL_MS 5

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Reads what fd has now into buf (at most cap bytes kept in all; what does not fit is read and
 * dropped, *overflow set). Closes fd at the end of the stream or on an error. */
static void drain(int *fd, char *buf, size_t cap, size_t *len, int *overflow)
{
    char scratch[512];
    for (;;) {
        char *to = *len < cap ? buf + *len : scratch;
        size_t room = *len < cap ? cap - *len : sizeof scratch;
        ssize_t n = read(*fd, to, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            close_fd(fd);
            break;
        }
        if (to == scratch)
            *overflow = 1;
        else
            *len += (size_t)n;
    }
    explicit_bzero(scratch, sizeof scratch);
}

/* Waits for pid until deadline (ms on clock_now_ms), then kills it (SIGKILL) and reaps it.
 * Returns 1 when it was killed. */
static int reap(pid_t pid, int64_t deadline, int *status)
{
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            return 0;
        if (clock_now_ms() >= deadline)
            break;
        nanosleep(&(struct timespec){0, REAP_POLL_MS * 1000000L}, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return 1;
}

/* The real runner: posix_spawnp, no shell. */
static void spawn_and_read(char *const *argv, unsigned timeout_s, struct secret_run *r)
{
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        r->spawn_errno = errno;
        close_fd(&out[0]), close_fd(&out[1]);
        return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
    /* Nothing else of ours: a socket or file that is not close-on-exec stays here. */
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    /* The command gets signals as a program started from a shell does: none blocked (watch
     * blocks some), none ignored (SIGPIPE may be). */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close_fd(&out[1]);
    close_fd(&err[1]);
    if (rc != 0) {
        r->spawn_errno = rc;
        close_fd(&out[0]), close_fd(&err[0]);
        return;
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK); /* our ends only: the command's are its own */
    fcntl(err[0], F_SETFL, O_NONBLOCK);

    int64_t deadline = clock_now_ms() + (int64_t)timeout_s * 1000;
    int reaped = 0, err_overflow = 0;
    struct pollfd fds[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
    while (out[0] >= 0 || err[0] >= 0) {
        int64_t left = deadline - clock_now_ms();
        if (left <= 0) {
            r->timed_out = 1;
            break;
        }
        /* Once the command has exited, what is still in the pipes is read and no more waited
         * for: something it started in the background may hold them open. Until then, it is
         * looked at every 100 ms for that reason. */
        int n = poll(fds, 2, reaped ? 0 : (int)(left < 100 ? left : 100));
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0) {
            if (fds[0].revents && out[0] >= 0)
                drain(&out[0], r->out, sizeof r->out, &r->out_len, &r->out_overflow);
            if (fds[1].revents && err[0] >= 0)
                drain(&err[0], r->err, sizeof r->err, &r->err_len, &err_overflow);
            fds[0].fd = out[0];
            fds[1].fd = err[0];
        }
        if (r->out_overflow)
            break;
        if (reaped && n == 0)
            break;
        if (!reaped && waitpid(pid, &r->status, WNOHANG) == pid)
            reaped = 1;
    }
    close_fd(&out[0]);
    close_fd(&err[0]);
    if (!reaped) {
        /* Out of time, too much output, or both pipes closed and the command still running. */
        int64_t until = r->timed_out || r->out_overflow ? 0 : deadline;
        if (reap(pid, until, &r->status) && !r->out_overflow)
            r->timed_out = 1;
    }
}

static secret_runner runner = spawn_and_read;

secret_runner secret_set_runner(secret_runner fn)
{
    secret_runner before = runner;
    runner = fn ? fn : spawn_and_read;
    return before;
}

/* One command run in this resolution. */
struct cached_run {
    char *const *argv; /* borrowed from the first reference (the inventory's) */
    uint64_t hash;
    char *value;   /* the password (zeroed when freed), or NULL when it failed */
    char *problem; /* why it failed (a message without the command's words), or NULL */
};

struct secret_cache {
    struct cached_run *runs;
    size_t count, capacity;
};

struct secret_cache *secret_cache_new(void)
{
    return calloc(1, sizeof(struct secret_cache));
}

void secret_cache_free(struct secret_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        text_free_secret(c->runs[i].value);
        free(c->runs[i].problem);
    }
    free(c->runs);
    free(c);
}

static uint64_t argv_hash(char *const *argv)
{
    uint64_t h = HASH_FNV1A64_INIT;
    for (size_t i = 0; argv[i]; i++)
        h = hash_fnv1a64_add(h, argv[i], strlen(argv[i]) + 1); /* the NUL separates words */
    return h;
}

static int same_argv(char *const *a, char *const *b)
{
    for (; *a && *b; a++, b++)
        if (strcmp(*a, *b) != 0)
            return 0;
    return !*a && !*b;
}

/* Most bytes of a command's words quoted in a message. */
#define WORDS_SHOWN 200

/* A command's words being written for a message. */
struct words {
    char buf[WORDS_SHOWN + 4];
    size_t len;
    int cut; /* something did not fit */
};

static void words_add(struct words *o, const char *piece, size_t n)
{
    if (o->cut || o->len + n > WORDS_SHOWN) {
        o->cut = 1;
        return;
    }
    memcpy(o->buf + o->len, piece, n);
    o->len += n;
}

/* The command's words for a message: `op read op://vault/db/password`, a word holding a space or
 * a quote (or nothing) in double quotes, " and \ escaped there; cut after WORDS_SHOWN bytes
 * ("..."). Returns a new string, or NULL when out of memory. */
static char *command_words(char *const *argv)
{
    struct words o = {.len = 0};
    for (size_t i = 0; argv[i]; i++) {
        const char *w = argv[i];
        int quote = !*w || strpbrk(w, " \t\"'") != NULL;
        if (i)
            words_add(&o, " ", 1);
        if (quote)
            words_add(&o, "\"", 1);
        for (const char *c = w; *c; c++) {
            char escaped[2] = {'\\', *c};
            if (quote && (*c == '"' || *c == '\\'))
                words_add(&o, escaped, 2);
            else
                words_add(&o, c, 1);
        }
        if (quote)
            words_add(&o, "\"", 1);
    }
    if (o.cut)
        memcpy(o.buf + o.len, "...", 3), o.len += 3;
    o.buf[o.len] = '\0';
    return utf8_repaired(o.buf); /* a cut may have split a character; controls: diag's to replace */
}

/* The first line of what the command printed on its standard error, for a message: made valid
 * UTF-8, at most about 200 bytes, anything equal to what it printed on its standard output (a
 * password, perhaps) masked. Controls are diag's to replace. "" when there is none. */
static char *first_err_line(const struct secret_run *r)
{
    const char *e = r->err;
    size_t len = r->err_len;
    while (len && (*e == '\n' || *e == '\r' || *e == ' ')) /* a blank first line says nothing */
        e++, len--;
    const char *nl = memchr(e, '\n', len);
    if (nl)
        len = (size_t)(nl - e);
    while (len && (e[len - 1] == '\r' || e[len - 1] == ' '))
        len--;
    char line[256];
    size_t consumed;
    size_t n = utf8_repair(e, len, line, 200, &consumed);
    if (consumed < len && n + 3 < sizeof line) {
        memcpy(line + n, "...", 4);
        n += 3;
    }
    line[n] = '\0';
    char out[SECRET_FILE_MAX_BYTES + 1];
    size_t out_len = r->out_len < SECRET_FILE_MAX_BYTES ? r->out_len : SECRET_FILE_MAX_BYTES;
    while (out_len && (r->out[out_len - 1] == '\n' || r->out[out_len - 1] == '\r'))
        out_len--;
    memcpy(out, r->out, out_len);
    out[out_len] = '\0';
    char *masked = text_redact(line, out_len >= 4 && !memchr(out, '\0', out_len) ? out : NULL);
    explicit_bzero(out, sizeof out);
    explicit_bzero(line, sizeof line);
    return masked;
}

/* Why r is no password, as a message to follow the command's words ("" when it is one), or NULL
 * when out of memory. On success *value gets the password. */
static char *judge_run(const struct secret_run *r, unsigned timeout_s, char **value,
                       const struct secret_words *w)
{
    *value = NULL;
    if (r->spawn_errno)
        return text_printf("cannot be run: %s%s", strerror(r->spawn_errno),
                           r->spawn_errno == ENOENT
                               ? " (is it installed, and in PATH? or give its full path)"
                               : "");
    char *err = first_err_line(r);
    if (!err)
        return NULL;
    /* "; it said: ..." after what went wrong, or what to say when it said nothing. */
    char said[320] = "";
    const char *silent = *err ? "" : " and printed nothing on its standard error";
    if (*err)
        snprintf(said, sizeof said, "; it said: %s", err);
    free(err);
    char *why = NULL;
    const char *out = r->out;
    size_t len = r->out_len;
    if (r->timed_out)
        why = text_printf("did not finish within %u s and was stopped%s; make sure it does not "
                          "wait for input (its standard input is /dev/null), or give it more "
                          "time: {command: [...], timeout: SECONDS}",
                          timeout_s, said);
    else if (r->out_overflow)
        why = text_printf("printed more than %d bytes on its standard output; it must print the "
                          "%s alone",
                          SECRET_FILE_MAX_BYTES, w->noun);
    else if (WIFSIGNALED(r->status))
        why = text_printf("was killed by signal %d (%s)%s%s", WTERMSIG(r->status),
                          strsignal(WTERMSIG(r->status)), silent, said);
    else if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
        why = text_printf("failed with exit status %d%s%s", WEXITSTATUS(r->status), silent, said);
    else if (memchr(out, '\0', len))
        why = text_printf("printed a NUL byte on its standard output; it must print the %s "
                          "alone",
                          w->noun);
    else if (memchr(out, '\r', len))
        why = text_printf("printed a carriage return (\\r), which would be sent as part of the "
                          "%s; it must print the %s alone",
                          w->noun, w->noun);
    else {
        if (len && out[len - 1] == '\n')
            len--;
        if (memchr(out, '\n', len))
            why = text_printf("printed more than one line on its standard output; it must print "
                              "the %s alone",
                              w->noun);
        else if (!len)
            why = text_printf("printed %s%s; it must print the %s on its standard output",
                              r->out_len ? "an empty line"
                              : *said    ? "nothing on its standard output"
                                         : "nothing at all",
                              said, w->noun);
        else if (len > SECRET_FILE_MAX_BYTES)
            why = text_printf("printed more than %d bytes on its standard output; it must print "
                              "the %s alone",
                              SECRET_FILE_MAX_BYTES, w->noun);
        else if (utf8_valid_prefix(out, len) != len)
            why = text_printf("printed something that is not UTF-8 text; %s", w->text_reason);
        else if (!(*value = strndup(out, len)))
            return NULL;
        else
            why = strdup("");
    }
    if (!why) {
        text_free_secret(*value);
        *value = NULL;
    }
    return why;
}

/* Runs s's command, or finds the run of the same words in c. */
static enum tf_err resolve_command(struct secret_ref *s, struct secret_cache *c, struct diag *d,
                                   const struct secret_words *w)
{
    uint64_t h = argv_hash(s->argv);
    struct cached_run *run = NULL;
    for (size_t i = 0; i < c->count && !run; i++)
        if (c->runs[i].hash == h && same_argv(c->runs[i].argv, s->argv))
            run = &c->runs[i];
    if (!run) {
        if (c->count == c->capacity) {
            size_t more = c->capacity ? 2 * c->capacity : 4;
            struct cached_run *runs = realloc(c->runs, more * sizeof *runs);
            if (!runs)
                return TF_ERR_NOMEM;
            c->runs = runs;
            c->capacity = more;
        }
        unsigned timeout_s = s->timeout_s ? s->timeout_s : SECRET_COMMAND_TIMEOUT_S;
        struct secret_run *r = calloc(1, sizeof *r);
        if (!r)
            return TF_ERR_NOMEM;
        runner(s->argv, timeout_s, r);
        char *value;
        char *why = judge_run(r, timeout_s, &value, w);
        explicit_bzero(r, sizeof *r);
        free(r);
        if (!why)
            return TF_ERR_NOMEM;
        run = &c->runs[c->count++];
        *run = (struct cached_run){s->argv, h, value, *why ? why : NULL};
        if (!*why)
            free(why);
    }
    if (run->value)
        return (s->value = strdup(run->value)) ? TF_OK : TF_ERR_NOMEM;
    char *words = command_words(s->argv);
    if (!words)
        return TF_ERR_NOMEM;
    diag_error(d, s->at, "%s command `%s` %s", w->noun, words, run->problem);
    free(words);
    return TF_OK;
}

/* The path of s's file: relative to dir unless absolute, ~/ being $HOME. Returns a new string,
 * or NULL when out of memory or when it starts with ~ and HOME is not set (*no_home set). */
static char *file_path(const struct secret_ref *s, const char *dir, int *no_home)
{
    *no_home = 0;
    if (s->source[0] == '~') { /* "~" or "~/..." ("~user/" was refused when read) */
        const char *home = getenv("HOME");
        if (!home || !*home) {
            *no_home = 1;
            return NULL;
        }
        return text_printf("%s%s", home, s->source + 1);
    }
    return s->source[0] == '/' ? strdup(s->source) : text_printf("%s%s", dir, s->source);
}

/* secret_resolve() for a secret called w->noun in messages. */
static enum tf_err resolve(struct secret_ref *s, const char *dir, struct secret_cache *cache,
                           struct diag *d, const struct secret_words *w)
{
    if (s->resolved)
        return TF_OK;
    s->resolved = 1;
    if (s->kind == SECRET_COMMAND)
        return resolve_command(s, cache, d, w);
    if (s->kind == SECRET_ENV) {
        const char *v = getenv(s->source);
        if (!v)
            diag_error(d, s->at,
                       "environment variable %s is not set; export it before running "
                       "tokenfleet",
                       s->source);
        else if (!*v)
            diag_error(d, s->at, "environment variable %s is empty; it must hold the %s", s->source,
                       w->noun);
        else if (utf8_valid_prefix(v, strlen(v)) != strlen(v))
            diag_error(d, s->at, "environment variable %s is not UTF-8 text; %s", s->source,
                       w->text_reason);
        else if (!(s->value = strdup(v)))
            return TF_ERR_NOMEM;
        return TF_OK;
    }
    if (s->kind != SECRET_FILE)
        return TF_OK;

    int no_home;
    char *path = file_path(s, dir, &no_home);
    if (no_home) {
        diag_error(d, s->at, "%s file %s starts with ~, but HOME is not set; give the full path",
                   w->noun, s->source);
        return TF_OK;
    }
    if (!path)
        return TF_ERR_NOMEM;
    mode_t mode = 0;
    gid_t gid = 0;
    switch (read_secret_file(path, &s->value, &mode, &gid)) {
    case FILE_NOMEM:
        free(path);
        return TF_ERR_NOMEM;
    case FILE_IO:
        diag_error(d, s->at, "cannot read %s file %s: %s", w->noun, path, strerror(errno));
        break;
    case FILE_NOT_TEXT:
        diag_error(d, s->at,
                   "%s file %s is not a regular file holding text (a device, a "
                   "pipe, or a NUL byte inside); give the file that holds the %s",
                   w->noun, path, w->noun);
        break;
    case FILE_TOOBIG:
        diag_error(d, s->at, "%s file %s is larger than %d bytes; is it the right file?", w->noun,
                   path, SECRET_FILE_MAX_BYTES);
        break;
    case FILE_CR:
        diag_error(d, s->at,
                   "%s file %s holds a carriage return (\\r), as a file saved with "
                   "Windows line ends does, and it would be sent as part of the %s; "
                   "remove it (dos2unix %s)",
                   w->noun, path, w->noun, path);
        break;
    case FILE_NEWLINES:
        diag_error(d, s->at,
                   "%s file %s ends with more than one newline; only one is stripped, "
                   "the others would be sent as part of the %s: remove the empty lines "
                   "at its end",
                   w->noun, path, w->noun);
        break;
    case FILE_EMPTY:
        diag_error(d, s->at, "%s file %s is empty; it must hold the %s", w->noun, path, w->noun);
        break;
    case FILE_NOT_UTF8:
        diag_error(d, s->at, "%s file %s is not UTF-8 text; %s", w->noun, path, w->text_reason);
        break;
    case FILE_OK:
        if ((mode & 077) && !own_group_readable(mode, gid))
            diag_warn(d, s->at,
                      "%s file %s can be read by group or others (mode %04o); "
                      "chmod 600 it",
                      w->noun, path, (unsigned)mode);
        break;
    }
    free(path);
    return TF_OK;
}

enum tf_err secret_resolve(struct secret_ref *s, const char *dir, struct secret_cache *cache,
                           struct diag *d)
{
    return resolve(s, dir, cache, d, &password_words);
}

/* Where a token came from, for a message: "environment variable NAME", "token file PATH",
 * "token command `WORDS`". Returns a new string, NULL when out of memory. */
static char *token_source(const struct secret_ref *s, const char *dir)
{
    if (s->kind == SECRET_ENV)
        return text_printf("environment variable %s", s->source);
    if (s->kind == SECRET_FILE) {
        int no_home;
        char *path = file_path(s, dir, &no_home); /* HOME was there when it was read */
        char *where = path ? text_printf("token file %s", path) : NULL;
        free(path);
        return where;
    }
    char *words = command_words(s->argv);
    char *where = words ? text_printf("token command `%s`", words) : NULL;
    free(words);
    return where;
}

enum tf_err secret_resolve_token(struct secret_ref *s, const char *dir, struct secret_cache *cache,
                                 struct diag *d)
{
    if (s->resolved)
        return TF_OK;
    enum tf_err rc = resolve(s, dir, cache, d, &token_words);
    if (rc != TF_OK || !s->value || app_token_is_valid(s->value))
        return rc;
    char *where = token_source(s, dir);
    if (!where)
        return TF_ERR_NOMEM;
    /* Not a word of the value: even its start may be the secret. */
    if (strchr(s->value, '\n'))
        diag_error(d, s->at,
                   "%s holds more than one line; it must hold the application token alone (%s)",
                   where, APP_TOKEN_SHAPE);
    else
        diag_error(d, s->at,
                   "%s does not hold an application token (%s); give the token as Astra "
                   "issued it, with nothing before or after it",
                   where, APP_TOKEN_SHAPE);
    free(where);
    text_free_secret(s->value);
    s->value = NULL;
    return TF_OK;
}
