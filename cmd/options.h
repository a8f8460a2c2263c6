/* options.h: the command line of each subcommand, parsed into struct cli. No business logic. */
#ifndef TOKENFLEET_OPTIONS_H
#define TOKENFLEET_OPTIONS_H

#include <stddef.h>

#include "config/load.h"
#include "core/driver.h"
#include "core/envfile.h"

enum command {
    CMD_VALIDATE,
    CMD_PROVISION,
    CMD_CHECK,
    CMD_WATCH,
    CMD_EXEC,
    CMD_LIST,
    CMD_DISCOVER
};

struct cli {
    const char *inventory;      /* -i FILE */
    const char *env_dir;        /* --env-dir */
    const char *env_file;       /* --env-file */
    const char *report;         /* --report ("-" = stdout) */
    const char *junit;          /* check --junit */
    const char *prom;           /* check --prom */
    int verify;                 /* check --verify */
    enum env_format env_format; /* --env-format */
    long concurrency;           /* -j, transfers in flight */
    long timeout_ms;            /* --timeout, per request */
    long connect_timeout_ms;    /* --connect-timeout; 0 = libcurl's default */
    long retries;               /* --retries: attempts after the first */
    long retry_delay_ms;        /* --retry-delay: back-off base */
    long retry_max_wait_ms;     /* --retry-max-wait: longest Retry-After honoured */
    long deadline_ms;           /* --deadline: the whole run; 0 = none */
    const char *cacert;         /* --cacert */
    const char *capath;         /* --capath */
    struct shard shard;         /* --shard K/N; count 0 = all targets */
    const char **limits;        /* --limit, repeatable; owned array, borrowed strings */
    size_t n_limits;
    const char **connect_to; /* --connect-to, repeatable; owned array, borrowed strings */
    size_t n_connect_to;
    char *proxy;           /* --proxy: an owned copy, as argv's has its credentials masked for
                              ps; "" = no proxy at all; NULL = the environment's */
    const char *noproxy;   /* --noproxy; "" = none, not even the environment's; NULL = NO_PROXY */
    int dry_run;           /* --dry-run */
    long interval_ms;      /* watch --interval; exec --keep-alive (0 = none) */
    long max_token_age_ms; /* --max-token-age: rotate tokens this old; 0 = never */
    const char *on_change; /* watch --on-change CMD (for /bin/sh -c) */
    long on_change_timeout_ms; /* watch --on-change-timeout */
    const char **targets;      /* exec --target, repeatable; owned array, borrowed strings */
    size_t n_targets;
    int keep_password_env;      /* exec --keep-password-env */
    unsigned long max_cycles;   /* watch --cycles; 0 = until a signal */
    char **command;             /* exec: the command after --, NULL-terminated (argv's) */
    int json;                   /* list --json */
    const char *org_token_env;  /* discover --org-token-env NAME */
    const char *org_token_file; /* discover --org-token-file PATH */
    const char *output;         /* discover -o FILE; NULL = standard output */
    int force;                  /* discover --force: -o may replace a file */
    char *api_url;              /* discover --api-url, without a trailing /; owned */
    char *status_text;          /* discover --status, upper-cased and cut at the commas; owned;
                                   NULL = ACTIVE */
    const char **statuses;      /* its pieces; owned array, strings in status_text */
    size_t n_statuses;
    const char *token_env; /* discover --token-env NAME */
    int verbosity;         /* -q = -1, -v = 1 */

    /* --env-names: a preset (static); NULL = the inventory's env_names */
    const struct env_names *env_names;
};

/* Outcome of parsing. */
enum parse_result {
    PARSE_OK,
    PARSE_EXIT_OK, /* --help was printed: exit 0 */
    PARSE_USAGE,   /* the command line is wrong (printed): exit 2 */
    PARSE_FAILED,  /* tokenfleet itself failed (out of memory; printed): exit 1 */
};

/* Parses argv (argv[0] is the subcommand's name) into *out. Prints --help itself
 * (PARSE_EXIT_OK) and errors, with a hint to --help (PARSE_USAGE). Free with cli_free. */
enum parse_result options_parse(enum command cmd, int argc, char **argv, struct cli *out);

/* Frees the arrays in c (not the strings, which are argv's), the copy of --proxy and discover's
 * copies. */
void cli_free(struct cli *c);

/* Prints the top-level help to out. */
void options_print_main_help(FILE *out);

#endif
