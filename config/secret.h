/* secret.h: resolving a password or application-token reference ({env: NAME}, {file: PATH},
 * {command: [ARGV...]}) to the secret. */
#ifndef TOKENFLEET_SECRET_H
#define TOKENFLEET_SECRET_H

#include "config/inventory.h"

/* Longest password file read, and longest output of a password command; more is refused as not
 * being a password. */
#define SECRET_FILE_MAX_BYTES 4096

/* How long a password command may run unless its timeout: says otherwise, and the most that may
 * say, in seconds. */
#define SECRET_COMMAND_TIMEOUT_S     10
#define SECRET_COMMAND_MAX_TIMEOUT_S 3600

/* The commands run during one resolution of passwords, each once: references to the same words
 * share what it printed (or why it failed). */
struct secret_cache;

/* Returns a new, empty cache, or NULL when out of memory. */
struct secret_cache *secret_cache_new(void);
/* Zeroes what the cache holds and frees it; secret_cache_free(NULL) is a no-op. */
void secret_cache_free(struct secret_cache *c);

/* Resolves s once: reads the environment variable, or the file (relative to dir unless absolute,
 * ~/ being $HOME; one trailing newline stripped), or runs the command (see below) unless cache
 * has run the same words already. A missing, empty or unusable source is reported in d at the
 * reference's place, never with the password in the message. Returns TF_OK (s->value set, or the
 * error recorded in d) or TF_ERR_NOMEM. A second call on the same reference does nothing.
 *
 * A command runs without a shell (posix_spawnp: argv[0] is looked up in PATH), with tokenfleet's
 * environment, its standard input /dev/null, every signal at its default and none blocked, for
 * at most s->timeout_s seconds (SECRET_COMMAND_TIMEOUT_S when 0), after which it is killed. Its
 * standard output, one trailing newline stripped, is the password: at most SECRET_FILE_MAX_BYTES,
 * one line, UTF-8, no CR or NUL. A command that cannot start, exits non-zero, is killed by a
 * signal or runs out of time is an error naming its words and quoting the first line of its
 * standard error; its standard output is never quoted. */
enum tf_err secret_resolve(struct secret_ref *s, const char *dir, struct secret_cache *cache,
                           struct diag *d);

/* As secret_resolve, for an application token (messages call it a token), which must then have
 * the shape app_token_is_valid() checks: one that has not is an error at the reference's place
 * naming the source (variable, file or command) and the shape, never any part of the value, and
 * s->value is left NULL. Returns TF_OK (also with errors in d) or TF_ERR_NOMEM. */
enum tf_err secret_resolve_token(struct secret_ref *s, const char *dir, struct secret_cache *cache,
                                 struct diag *d);

/* What running a command gave (see secret_runner). */
struct secret_run {
    int spawn_errno; /* the command could not be started (posix_spawnp's error); 0: it ran */
    int timed_out;   /* it ran out of time and was killed */
    int status;      /* as waitpid() gives it */
    char out[SECRET_FILE_MAX_BYTES + 2]; /* the start of its standard output (a secret) */
    size_t out_len;
    int out_overflow; /* it printed more than out holds (and was killed for it) */
    char err[512];    /* the start of its standard error */
    size_t err_len;
};

/* Runs argv (NULL-terminated) for at most timeout_s seconds, filling r (zeroed by the caller). */
typedef void (*secret_runner)(char *const *argv, unsigned timeout_s, struct secret_run *r);

/* Replaces how commands are run, for tests and fuzzing (NULL: posix_spawnp, the real one).
 * Returns the runner used before. */
secret_runner secret_set_runner(secret_runner runner);

#endif
