/* envfile.h: env files (KEY=value lines) that every common reader reads back byte for byte;
 * see README.md, "Env files", for the readers and why the default refuses rather than quotes. */
#ifndef TOKENFLEET_ENVFILE_H
#define TOKENFLEET_ENVFILE_H

#include <stdint.h>
#include <stdio.h>

#include "core/target.h"
#include "core/base/errors.h"

enum env_format {
    ENV_FORMAT_PORTABLE, /* bare values from [A-Za-z0-9_@%+=:,./-] only; anything else refused */
    ENV_FORMAT_SH,       /* for `. file` only: other values single-quoted; newline refused */
};

/* Parses "portable" or "sh". Returns 0 and sets *out, or -1 for another word. */
int envfile_format_parse(const char *word, enum env_format *out);

/* Writes `KEY=value\n` to out in format fmt. Returns TF_OK, TF_ERR_UNSAFE when the value cannot
 * be written so that every reader of that format gets it back unchanged (nothing is written), or
 * TF_ERR_IO. */
enum tf_err envfile_write_var(FILE *out, const char *prefix, const char *key, const char *value,
                              enum env_format fmt);

/* Returns TF_OK when every inventory-derived value of t that names writes (all but the token)
 * can be written in fmt; else TF_ERR_UNSAFE and *bad names the first variable that cannot, or
 * TF_ERR_NOMEM. Lets a run refuse before anything is sent. */
enum tf_err envfile_check_target(const struct target *t, const struct env_names *names,
                                 enum env_format fmt, enum env_var *bad);

/* Writes t's variables with token to out, in enum env_var order, those that names names and t
 * has a value for (env_names_values), each name preceded by prefix (may be NULL or "", as in the
 * per-target files; "ORDERS_US_EAST1_" in the combined file). Returns TF_OK, TF_ERR_UNSAFE (*bad
 * set to the variable), TF_ERR_IO or TF_ERR_NOMEM (*bad untouched). */
enum tf_err envfile_write_target(FILE *out, const struct target *t, const struct env_names *names,
                                 const char *token, const char *prefix, enum env_format fmt,
                                 enum env_var *bad);

/* Writes target t's own env file, DIR/<database>.<region>.env, with token: a header comment
 * naming the target and stamp (when the token was issued, as clock_format_utc writes it), then
 * its variables as envfile_write_target writes them. 0600,
 * atomically (temp file, fsync, rename; the folder is not synced: call atomic_sync_dir once
 * after many files). Returns TF_OK; TF_ERR_UNSAFE (*bad set; nothing written); TF_ERR_IO or
 * TF_ERR_NOMEM (errno says why; the old file, if any, is as it was). */
enum tf_err envfile_write_file(const char *dir, const struct target *t,
                               const struct env_names *names, const char *token,
                               enum env_format fmt, const char *stamp, enum env_var *bad);

/* Returns a new string: the path of t's own env file in dir, or NULL when out of memory. */
char *envfile_path(const char *dir, const struct target *t);

/* Writes the combined env file at path: a header with stamp (now), then for every target i of
 * items[0..targets->total) with tokens[i] not NULL a comment naming it and when its token was
 * issued (issued_at_ms[i]) and its variables (targets->env_names) prefixed with its env_prefix.
 * Atomically, 0600, the folder synced. Returns TF_OK, TF_ERR_UNSAFE (*bad_target and *bad set;
 * nothing written), TF_ERR_IO (errno says why; nothing written) or TF_ERR_NOMEM. */
enum tf_err envfile_write_combined(const char *path, const struct target_list *targets,
                                   const char *const *tokens, const int64_t *issued_at_ms,
                                   enum env_format fmt, const char *stamp, size_t *bad_target,
                                   enum env_var *bad);

/* Reads the tokens of an existing combined env file at path (as envfile_write_combined wrote
 * it, with the names of targets->env_names) into tokens[i] and issued_at_ms[i] for each target i
 * of items[0..targets->total) whose entry is there with its own cluster id and a portable token;
 * both arrays hold total entries, zeroed by the caller; the tokens are new strings (free with
 * text_free_secret). A missing file reads as empty. Returns TF_OK, TF_ERR_IO (errno says why) or
 * TF_ERR_NOMEM. */
enum tf_err envfile_read_combined(const char *path, const struct target_list *targets,
                                  char **tokens, int64_t *issued_at_ms);

/* Largest env file read back (a target's own file is a few hundred bytes). */
#define ENVFILE_MAX_READ (64 * 1024)

/* Reads back the token and its issue time from t's own env file in dir, as envfile_write_file
 * wrote it with names (so that a restarted agent keeps a fleet's tokens). Returns TF_OK with
 * *token (a new string: free with text_free_secret) and *issued_at_ms set (0 when the header has
 * no stamp); TF_ERR_IO when there is no such file or it cannot be read (errno says why);
 * TF_ERR_TOOBIG; TF_ERR_UNSAFE when it holds no usable token (no line of the token's name, or a
 * value outside the portable set) or its cluster id or region is not t's (or is missing: a file
 * written under other names is not read); TF_ERR_NOMEM. */
enum tf_err envfile_read_token(const char *dir, const struct target *t,
                               const struct env_names *names, char **token, int64_t *issued_at_ms);

#endif
