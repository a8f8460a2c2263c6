/* options.c: getopt_long tables and --help texts of every command but merge-reports. */
#include "cmd/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/inventory_rules.h"
#include "core/app_token.h"
#include "core/env_names.h"
#include "core/base/text.h"
#include "core/devops.h"
#include "core/proxy.h"

enum {
    OPT_ENV_DIR = 256,
    OPT_ENV_FILE,
    OPT_ENV_FORMAT,
    OPT_ENV_NAMES,
    OPT_REPORT,
    OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT,
    OPT_LIMIT,
    OPT_CONNECT_TO,
    OPT_CACERT,
    OPT_DRY_RUN,
    OPT_RETRIES,
    OPT_RETRY_DELAY,
    OPT_RETRY_MAX_WAIT,
    OPT_DEADLINE,
    OPT_SHARD,
    OPT_JUNIT,
    OPT_PROM,
    OPT_VERIFY,
    OPT_CAPATH,
    OPT_INTERVAL,
    OPT_MAX_TOKEN_AGE,
    OPT_ON_CHANGE,
    OPT_ON_CHANGE_TIMEOUT,
    OPT_TARGET,
    OPT_KEEP_ALIVE,
    OPT_KEEP_PASSWORD_ENV,
    OPT_CYCLES,
    OPT_JSON,
    OPT_PROXY,
    OPT_NOPROXY,
    OPT_ORG_TOKEN_ENV,
    OPT_ORG_TOKEN_FILE,
    OPT_FORCE,
    OPT_API_URL,
    OPT_STATUS,
    OPT_TOKEN_ENV,
};

/* Which commands take an option (bit 1 << enum command). */
#define FOR_VALIDATE  (1u << CMD_VALIDATE)
#define FOR_PROVISION (1u << CMD_PROVISION)
#define FOR_CHECK     (1u << CMD_CHECK)
#define FOR_WATCH     (1u << CMD_WATCH)
#define FOR_EXEC      (1u << CMD_EXEC)
#define FOR_LIST      (1u << CMD_LIST)
#define FOR_DISCOVER  (1u << CMD_DISCOVER)
#define FOR_RUNS      (FOR_PROVISION | FOR_CHECK)
#define FOR_REQUESTS  (FOR_RUNS | FOR_WATCH | FOR_EXEC)        /* commands that send requests */
#define FOR_ALL       (FOR_VALIDATE | FOR_REQUESTS | FOR_LIST) /* those reading an inventory */
#define FOR_SENDERS   (FOR_REQUESTS | FOR_DISCOVER)            /* one request or many */

static const char *const command_names[] = {"validate", "provision", "check",   "watch",
                                            "exec",     "list",      "discover"};
#define N_COMMANDS (sizeof command_names / sizeof command_names[0])

static const char validate_help[] =
    "Usage: tokenfleet validate -i FILE [--limit PATTERN]... [--shard K/N] [output options] [-q]\n"
    "\n"
    "Checks an inventory without sending anything: YAML, keys, values, duplicates, and that\n"
    "every password reference ({env: NAME}, {file: PATH}) can be read; password commands\n"
    "({command: [...]}) are run. Prints every mistake with its place (file:line:column).\n"
    "Given the output options of a run, also checks what that run would refuse, so that\n"
    "validate passes exactly what provision accepts.\n"
    "\n"
    "  -i, --inventory FILE   the inventory (YAML); - for standard input\n"
    "      --limit PATTERN    only these targets (see provision --help); repeatable\n"
    "      --shard K/N        only slice K of N (see provision --help)\n"
    "      --env-dir DIR, --env-file FILE, --env-format FORMAT, --env-names NAMES\n"
    "                         check the inventory's values for these env outputs (see\n"
    "                         provision --help); nothing is created or written\n"
    "      --verify           check that every target has a REST API URL for check --verify\n"
    "  -q, --quiet            errors only\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 valid, 2 invalid or wrong usage.\n";

static const char provision_help[] =
    "Usage: tokenfleet provision -i FILE [options]\n"
    "\n"
    "Requests an authorization token for every target (database x region) of the inventory,\n"
    "concurrently, and writes env files and/or a JSON report. Passwords come from the\n"
    "inventory's {env: NAME} or {file: PATH} references, never from the command line.\n"
    "A database with an Astra application token (token: in the inventory) gets no auth\n"
    "request: its token is proven with one call (the REST keyspace GET, or the Data API's\n"
    "findCollections for api: data) and written only when it works.\n"
    "\n"
    "Outputs (files holding tokens are written 0600, atomically):\n"
    "      --env-dir DIR         one file per target: DIR/<database>.<region>.env\n"
    "      --env-file FILE       all targets in one file, names prefixed ORDERS_US_EAST1_...\n"
    "      --env-format FORMAT   portable (default): values every reader (sh, docker\n"
    "                            --env-file, systemd, python-dotenv, Node) reads the same;\n"
    "                            other values are refused. sh: single-quoted for shells only\n"
    "      --env-names NAMES     the variables' names: seed (the default: ASTRA_CLUSTER_ID,\n"
    "                            ASTRA_CLUSTER_REGION, ASTRA_DB_USERNAME, ASTRA_DB_KEYSPACE,\n"
    "                            ASTRA_AUTHORIZATION_TOKEN) or astra (ASTRA_DB_ID,\n"
    "                            ASTRA_DB_REGION, ASTRA_DB_KEYSPACE, ASTRA_DB_APPLICATION_TOKEN,\n"
    "                            ASTRA_DB_API_ENDPOINT, as Astra's SDKs read them); wins over\n"
    "                            the inventory's env_names (defaults:), which may also rename\n"
    "      --report FILE         JSON report of every request; - for standard output\n"
    "  With no output option, a summary is printed and nothing is written.\n"
    "\n"
    "Requests:\n"
    "  -j, --concurrency N       requests in flight at most (default 64)\n"
    "      --timeout SECONDS     per request, connection included (default 10)\n"
    "      --connect-timeout SECONDS  per connection set-up (default: libcurl's)\n"
    "      --limit PATTERN       only targets matching a glob on the target name\n"
    "                            (orders/us-east1, 'orders*', '*/eu-west1'), a database name,\n"
    "                            or tag:NAME. As ansible's --limit: a comma-separated list\n"
    "                            takes the union of its patterns, then &PATTERN intersects\n"
    "                            and !PATTERN excludes ('tag:prod,&*/eu-west1',\n"
    "                            'orders,billing,!*/eu-west1'; no plain pattern: from all);\n"
    "                            repeatable, as one list. A pattern that matches nothing, or\n"
    "                            a selection left empty, is an error\n"
    "      --shard K/N           only slice K (0 to N-1) of N disjoint slices, chosen by a\n"
    "                            stable hash of the target name: N hosts, or a Kubernetes\n"
    "                            Indexed Job with --shard $JOB_COMPLETION_INDEX/N, split a\n"
    "                            fleet; join their reports with 'tokenfleet merge-reports'\n"
    "      --connect-to HOST1:PORT1:HOST2:PORT2  send requests for HOST1:PORT1 to\n"
    "                            HOST2:PORT2, as curl's option; TLS still checks HOST1;\n"
    "                            through a proxy, the proxy is asked to connect to HOST2:PORT2\n"
    "      --cacert FILE         trust these CAs instead of the system's bundle (read once\n"
    "                            per run, however many connections)\n"
    "      --capath DIR          trust the hashed CA folder DIR (c_rehash) as well; slower:\n"
    "                            libcurl then reads CA files for every connection\n"
    "      --proxy URL           send requests through this proxy, as curl's option:\n"
    "                            [SCHEME://][USER:PASSWORD@]HOST[:PORT], SCHEME http (the\n"
    "                            default), https, socks4, socks4a, socks5 or socks5h; \"\" for\n"
    "                            no proxy, whatever the environment says\n"
    "      --noproxy LIST        hosts reached directly, as curl's option: comma-separated\n"
    "                            names (each also matching its subdomains), addresses, CIDR\n"
    "                            ranges, or * for all; replaces NO_PROXY; \"\" for none\n"
    "      --retries N           retries after a failure worth retrying: connection errors,\n"
    "                            timeouts, 408, 429, 500, 502, 503, 504 (default 3)\n"
    "      --retry-delay SECONDS back-off base, doubled per retry with full jitter, each\n"
    "                            wait at most 30 s (default 0.5)\n"
    "      --retry-max-wait SECONDS  longest Retry-After honoured: a server asking for longer\n"
    "                            is retried after this long (default 60)\n"
    "      --deadline SECONDS    bound on the whole run: what has not finished by then is\n"
    "                            reported cancelled (default: none)\n"
    "      --dry-run             print the requests that would be sent (password hidden)\n"
    "\n"
    "Behind a proxy: without --proxy, https_proxy or HTTPS_PROXY (http_proxy for http://\n"
    "URLs; else all_proxy or ALL_PROXY) and no_proxy or NO_PROXY are read as curl reads them.\n"
    "An https:// request goes through an HTTP proxy in a CONNECT tunnel: TLS is checked end\n"
    "to end, and the proxy sees the host name, never the password or the token. A proxy's\n"
    "user name and password are never printed (http://********@proxy:3128); give them in\n"
    "HTTPS_PROXY rather than --proxy: every user can read a command line (ps) until\n"
    "tokenfleet has masked it.\n"
    "\n"
    "  -i, --inventory FILE      the inventory (YAML); - for standard input\n"
    "  -q, --quiet               errors only\n"
    "  -v, --verbose             one line per request (never a password or a token)\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 every target got a token, 1 some target failed (or an output could not\n"
    "be written), 2 wrong usage or inventory errors (then nothing is sent or written),\n"
    "130/143 stopped by SIGINT/SIGTERM: what finished is written, the rest is cancelled; a\n"
    "second signal ends at once (files are replaced whole or not at all).\n";

static const char check_help[] =
    "Usage: tokenfleet check -i FILE [options]\n"
    "\n"
    "The nightly check: do all the databases' credentials still work? Sends the same requests\n"
    "as provision (same concurrency, retries and time bounds) but writes no token anywhere.\n"
    "An application token (token: in the inventory) is always proven, as provision does.\n"
    "\n"
    "Outputs:\n"
    "      --report FILE         JSON report (mode \"check\", no token); - for standard output\n"
    "      --junit FILE          JUnit XML: one testcase per target (classname the database,\n"
    "                            name the region), a failure for each that is not ok\n"
    "      --prom FILE           Prometheus text format for node_exporter's textfile\n"
    "                            collector (replaced atomically): tokenfleet_target_up, ...\n"
    "      --verify              also prove each token reaches its keyspace: GET the REST\n"
    "                            API's /v2/schemas/keyspaces/KEYSPACE with it (base derived from\n"
    "                            auth_url, or rest_url in the inventory); a keyspace that is\n"
    "                            missing or not visible is keyspace_unreachable\n"
    "\n"
    "Requests: -j, --timeout, --connect-timeout, --retries, --retry-delay, --retry-max-wait,\n"
    "--deadline, --limit, --shard, --connect-to, --cacert, --capath, --proxy, --noproxy,\n"
    "--dry-run, as for provision (see tokenfleet provision --help, also for proxies).\n"
    "\n"
    "  -i, --inventory FILE      the inventory (YAML); - for standard input\n"
    "  -q, --quiet               errors only\n"
    "  -v, --verbose             one line per request (never a password or a token)\n"
    "  -h, --help                this text\n"
    "\n"
    "On a terminal, a progress line and a table of the results; otherwise a one-line summary.\n"
    "Exit status: 0 every target passed, 1 some target failed, 2 wrong usage or inventory\n"
    "errors (nothing sent), 130/143 interrupted.\n";

static const char watch_help[] =
    "Usage: tokenfleet watch -i FILE --env-dir DIR [options]\n"
    "\n"
    "Keeps a fleet's env files holding working tokens, for as long as it runs (a systemd\n"
    "service, a Kubernetes sidecar). A Stargate token dies 30 minutes after its last use;\n"
    "every --interval each token is proven with one authenticated call (the REST API's\n"
    "keyspace GET, which also restarts its 30 minutes). A token that is refused, missing or\n"
    "older than --max-token-age is replaced: a new one is requested and the target's env\n"
    "file rewritten atomically. A file whose token still works is never touched. On start,\n"
    "tokens already in the env files are proven and kept. An application token (token: in\n"
    "the inventory) is proven the same way and, when refused, reported, never replaced.\n"
    "\n"
    "      --env-dir DIR          one file per target: DIR/<database>.<region>.env (required)\n"
    "      --env-file FILE        also all targets in one file, rewritten when a token changes\n"
    "      --env-format FORMAT    portable (default) or sh, as for provision\n"
    "      --env-names NAMES      seed (default) or astra, as for provision\n"
    "      --report FILE          JSON report of the last cycle, replaced after each\n"
    "      --prom FILE            Prometheus text file, replaced after each cycle\n"
    "      --interval DURATION    time between cycles (default 10m; 90s, 10m, 1h; plain\n"
    "                             numbers are seconds; at least 1s; keep it well under 30m)\n"
    "      --max-token-age DURATION  replace tokens this old even when they work (rotation)\n"
    "      --on-change CMD        after a target's env file is replaced, run CMD with /bin/sh -c\n"
    "                             and TOKENFLEET_TARGET, TOKENFLEET_DATABASE, TOKENFLEET_REGION,\n"
    "                             TOKENFLEET_ENV_FILE, TOKENFLEET_EVENT (issued or replaced) in\n"
    "                             its environment; its output goes to stderr; at most 4 at once\n"
    "      --on-change-timeout DURATION  kill an on-change command after this (default 30s)\n"
    "      --cycles N             stop after N cycles (for scripts and tests; default: run\n"
    "                             until SIGTERM or SIGINT)\n"
    "\n"
    "Requests: -j, --timeout, --connect-timeout, --retries, --retry-delay, --retry-max-wait,\n"
    "--limit, --shard, --connect-to, --cacert, --capath, --proxy, --noproxy, as for provision.\n"
    "\n"
    "Signals: SIGHUP reloads the inventory and its password sources (an inventory that no\n"
    "longer validates is reported and the old one kept); SIGTERM or SIGINT finish writing and\n"
    "exit 0. With NOTIFY_SOCKET set (systemd Type=notify): READY=1 after the first cycle,\n"
    "STATUS= after each, WATCHDOG=1 when WatchdogSec= is set, STOPPING=1 on stop.\n"
    "\n"
    "  -i, --inventory FILE      the inventory (YAML); a file, not -: it is read again on\n"
    "                            SIGHUP\n"
    "  -q, --quiet               errors only\n"
    "  -v, --verbose             one line per request (never a password or a token)\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 stopped by SIGTERM/SIGINT, 2 wrong usage or inventory errors at start\n"
    "(nothing sent), 1 tokenfleet itself failed.\n";

static const char exec_help[] =
    "Usage: tokenfleet exec -i FILE --target NAME [--target NAME]... [options] -- CMD [ARGS]...\n"
    "\n"
    "Gets a token for each named target and runs CMD with them in its environment, in\n"
    "tokenfleet's place (same process id, so signals reach CMD directly). One target: the\n"
    "variables of its env file unprefixed (ASTRA_CLUSTER_ID, ASTRA_CLUSTER_REGION,\n"
    "ASTRA_DB_USERNAME, ASTRA_DB_KEYSPACE, ASTRA_AUTHORIZATION_TOKEN, or as --env-names\n"
    "says); several: prefixed as in provision --env-file\n"
    "(ORDERS_US_EAST1_ASTRA_AUTHORIZATION_TOKEN). CMD gets the rest of\n"
    "tokenfleet's environment, minus the variables the inventory names as password or token\n"
    "sources ({env: NAME}). If a target fails, CMD is not started.\n"
    "\n"
    "      --target NAME          a target (orders/us-east1) or a database (all its regions);\n"
    "                             repeatable\n"
    "      --limit PATTERN        also the targets a pattern selects, as for provision\n"
    "      --keep-alive DURATION  stay CMD's parent: every DURATION prove the tokens (which\n"
    "                             keeps them alive) and, if one had to be replaced, restart\n"
    "                             CMD with the new environment (SIGTERM, SIGKILL after 10 s);\n"
    "                             SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are\n"
    "                             passed on to CMD, but for a terminal's Ctrl-C, Ctrl-\\ and\n"
    "                             hang-up, which reach CMD itself (it shares tokenfleet's\n"
    "                             process group); after a SIGTERM, CMD is not restarted\n"
    "      --max-token-age DURATION  with --keep-alive: replace tokens this old\n"
    "      --keep-password-env    leave the password variables in CMD's environment\n"
    "      --env-names NAMES      seed (default) or astra: the variables' names, as for\n"
    "                             provision\n"
    "\n"
    "Requests: -j, --timeout, --connect-timeout, --retries, --retry-delay, --retry-max-wait,\n"
    "--deadline, --connect-to, --cacert, --capath, --proxy, --noproxy, as for provision.\n"
    "\n"
    "  -i, --inventory FILE      the inventory (YAML); - for standard input\n"
    "  -q, --quiet               errors only\n"
    "  -v, --verbose             one line per request (never a password or a token)\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: CMD's (128+N when signal N ended it); 1 a target failed (CMD not started);\n"
    "2 wrong usage or inventory errors; 126/127 CMD could not be run / was not found;\n"
    "130/143 SIGINT/SIGTERM came before CMD started.\n";

static const char list_help[] =
    "Usage: tokenfleet list -i FILE [--limit PATTERN]... [--shard K/N] [--json] [-q]\n"
    "\n"
    "Prints the targets a run with these options would take, one name a line\n"
    "(orders/us-east1), in inventory order; sends nothing and reads no password (ansible's\n"
    "--list-hosts). Shell completion uses it for --limit and --target. On a terminal each\n"
    "line also says how the target authenticates (password or token) and its api.\n"
    "\n"
    "  -i, --inventory FILE   the inventory (YAML); - for standard input\n"
    "      --limit PATTERN    only these targets (see provision --help); repeatable\n"
    "      --shard K/N        only slice K of N (see provision --help)\n"
    "      --json             a JSON array instead: for each target its name, database,\n"
    "                         region, cluster_id, keyspace, auth, api and tags\n"
    "  -q, --quiet            no warnings about the inventory, errors only\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 listed (also when --shard leaves no target), 1 the list could not be\n"
    "written, 2 wrong usage or inventory errors.\n";

static const char discover_help[] =
    "Usage: tokenfleet discover (--org-token-env NAME | --org-token-file PATH) [-o FILE]\n"
    "                           [--force] [--api-url URL] [--status LIST] [--token-env NAME]\n"
    "                           [request options]\n"
    "\n"
    "Writes an inventory of every database of an Astra organization, listed by the DevOps\n"
    "API (GET /v2/databases, page after page): for each, a name made from its Astra name\n"
    "(lower-cased, other characters replaced by -, -2, -3... when two meet; the Astra name\n"
    "in a comment when it differs), its id, the regions of its datacenters, its keyspace, and\n"
    "api: data for a Serverless (Vector) database; defaults: token: {env: NAME} for the\n"
    "databases' application token. Databases whose status --status leaves out are written\n"
    "commented out, with their status; one the inventory cannot take (no id, no\n"
    "datacenters, a region or keyspace it refuses) is a comment saying why. The result\n"
    "passes tokenfleet validate as it is.\n"
    "\n"
    "      --org-token-env NAME  the organization token (AstraCS:...) is in this variable\n"
    "      --org-token-file PATH the organization token is in this file (one line); never\n"
    "                            on the command line, which every user can read (ps)\n"
    "  -o, --output FILE         write the inventory here, atomically (default: standard\n"
    "                            output); an existing FILE only with --force\n"
    "      --force               let -o replace an existing file\n"
    "      --api-url URL         the DevOps API (default https://api.astra.datastax.com)\n"
    "      --status LIST         the statuses written as entries, comma-separated, any case\n"
    "                            (default ACTIVE; e.g. ACTIVE,HIBERNATED)\n"
    "      --token-env NAME      the variable the inventory reads the databases' application\n"
    "                            token from (default ASTRA_DB_APPLICATION_TOKEN)\n"
    "\n"
    "Requests: --timeout, --connect-timeout, --retries, --retry-delay, --retry-max-wait,\n"
    "--deadline, --connect-to, --cacert, --capath, --proxy, --noproxy, as for provision: a\n"
    "page that fails (a connection, a timeout, 429 with its Retry-After, 5xx, or a 200 that is\n"
    "not a list of databases) is asked for again, as often as --retries allows, and the whole\n"
    "listing ends (nothing written) when --deadline passes.\n"
    "\n"
    "  -q, --quiet               errors only\n"
    "  -v, --verbose             one line per request (never the token)\n"
    "  -h, --help                this text\n"
    "\n"
    "Exit status: 0 written, 1 the DevOps API refused the token or kept failing (nothing is\n"
    "written), 2 wrong usage, an unusable token source, or -o FILE exists (nothing sent).\n";

void options_print_main_help(FILE *out)
{
    fputs("Usage: tokenfleet COMMAND [options]\n"
          "\n"
          "Fetches Stargate / DataStax Astra authorization tokens for a whole fleet of\n"
          "databases described in a YAML inventory.\n"
          "\n"
          "Commands:\n"
          "  validate    check an inventory; send nothing\n"
          "  provision   get a token for every target; write env files and a report\n"
          "  check       nightly: do every target's credentials still work? (no token written)\n"
          "  watch       keep every target's env file holding a working token (an agent)\n"
          "  exec        run a command with the tokens of some targets in its environment\n"
          "  merge-reports  join the reports of a sharded run (--shard K/N) into one\n"
          "  list        print the targets an inventory and --limit/--shard select; send nothing\n"
          "  discover    write an inventory of an Astra organization's databases (DevOps API)\n"
          "\n"
          "Run 'tokenfleet COMMAND --help' or 'tokenfleet help COMMAND' for a command's options.\n"
          "  --version   print the version and libcurl's\n",
          out);
}

static enum parse_result usage(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum parse_result usage(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tokenfleet %s: ", name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'tokenfleet %s --help'.\n", name);
    va_end(ap);
    return PARSE_USAGE;
}

static enum parse_result out_of_memory(void)
{
    fputs("tokenfleet: error: out of memory\n", stderr);
    return PARSE_FAILED;
}

/* "90s", "10m", "1h", "1.5s" or plain seconds to milliseconds; -1 when not a duration (or
 * negative, or longer than a week). */
static long duration_ms(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return -1;
    double unit = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    if (*end || v * unit > 7 * 86400.0)
        return -1;
    return (long)(v * unit * 1000.0 + 0.5);
}

/* An option getopt does not know, with the closest one that exists when one is near (a typo). */
static enum parse_result unknown_option(const char *name, const char *word,
                                        const struct option *longopts)
{
    const char *hint = NULL;
    size_t best = 3; /* at most two edits away */
    if (!strncmp(word, "--", 2)) {
        char given[64];
        snprintf(given, sizeof given, "%.*s", (int)strcspn(word + 2, "="), word + 2);
        for (const struct option *o = longopts; o->name; o++) {
            size_t dist = text_edit_distance(given, o->name, 2);
            if (dist < best) {
                best = dist;
                hint = o->name;
            }
        }
    }
    if (hint)
        return usage(name, "unknown option %s; did you mean --%s?", word, hint);
    return usage(name, "unknown option %s", word);
}

/* "provision", "provision and check", "validate, provision and watch": the commands in mask. */
static const char *commands_of(unsigned mask, char *buf, size_t size)
{
    size_t n = 0, len = 0, count = 0;
    for (size_t i = 0; i < N_COMMANDS; i++)
        count += (mask >> i) & 1u;
    buf[0] = '\0';
    for (size_t i = 0; i < N_COMMANDS && len < size; i++) {
        if (!((mask >> i) & 1u))
            continue;
        n++;
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                n == 1       ? ""
                                : n == count ? " and "
                                             : ", ",
                                command_names[i]);
    }
    return buf;
}

/* Seconds as a decimal ("10", "2.5") to milliseconds; -1 when not a number of seconds
 * (positive, or also zero when zero_ok) up to a day. */
static long seconds_ms(const char *s, int zero_ok)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0 || (v == 0 && !zero_ok) || v > 86400)
        return -1;
    long ms = (long)(v * 1000.0 + 0.5);
    return ms < 1 && !zero_ok ? 1 : ms;
}

/* A decimal whole number from min to max into *out. Returns 0, or -1 (nothing stored). */
static int whole_number(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int push(const char ***list, size_t *n, const char *s)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    grown[(*n)++] = s;
    *list = grown;
    return 0;
}

/* NULL when url can be --api-url's value, else what is wrong with it. */
static const char *api_url_problem(const char *url)
{
    size_t scheme = !strncmp(url, "https://", 8) ? 8 : !strncmp(url, "http://", 7) ? 7 : 0;
    if (!scheme)
        return "must start with https:// (or http://)";
    size_t host = strcspn(url + scheme, "/");
    if (!host)
        return "has no host name";
    if (memchr(url + scheme, '@', host))
        return "holds a user name: give the URL alone (the org token is what the API reads)";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
            return "holds a space, a control character, a query or a fragment; give the API's "
                   "base URL (https://api.astra.datastax.com)";
    return NULL;
}

/* --status LIST: comma-separated statuses, any case, blanks around each ignored, each one the
 * DevOps API knows (a typo gets the nearest). Replaces what an earlier --status gave. */
static enum parse_result parse_statuses(const char *name, const char *list, struct cli *out)
{
    free(out->status_text);
    free(out->statuses);
    out->statuses = NULL;
    out->n_statuses = 0;
    if (!(out->status_text = strdup(list)))
        return out_of_memory();
    char *save = NULL;
    for (char *s = strtok_r(out->status_text, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        s += strspn(s, " \t");
        for (size_t n = strlen(s); n && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
            s[n - 1] = '\0';
        for (char *p = s; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (!devops_is_status(s)) {
            const char *hint = text_nearest(s, devops_statuses, 2);
            if (hint)
                return usage(name, "--status: \"%s\" is not a database status; did you mean %s?", s,
                             hint);
            return usage(name,
                         "--status: \"%s\" is not a database status (ACTIVE, HIBERNATED, "
                         "PARKED, MAINTENANCE, ...; comma-separated)",
                         s);
        }
        if (push(&out->statuses, &out->n_statuses, s) != 0)
            return out_of_memory();
    }
    if (!out->n_statuses)
        return usage(name, "%s", "--status: which statuses? Give e.g. ACTIVE,HIBERNATED");
    return PARSE_OK;
}

/* discover's checks once every option is read, and its defaults. */
static enum parse_result discover_defaults(const char *name, struct cli *out)
{
    if (!out->org_token_env == !out->org_token_file)
        return usage(name, "%s",
                     out->org_token_env
                         ? "give --org-token-env or --org-token-file, not both"
                         : "which organization token? Give --org-token-env NAME or "
                           "--org-token-file PATH (never the token itself: every user can read "
                           "a command line)");
    if (!out->api_url && !(out->api_url = strdup(DEVOPS_DEFAULT_API_URL)))
        return out_of_memory();
    if (!out->statuses) {
        enum parse_result pr = parse_statuses(name, "ACTIVE", out);
        if (pr != PARSE_OK)
            return pr;
    }
    if (!out->token_env)
        out->token_env = "ASTRA_DB_APPLICATION_TOKEN";
    return PARSE_OK;
}

enum parse_result options_parse(enum command cmd, int argc, char **argv, struct cli *out)
{
    static const struct option longopts[] = {
        {"inventory", required_argument, NULL, 'i'},
        {"env-dir", required_argument, NULL, OPT_ENV_DIR},
        {"env-file", required_argument, NULL, OPT_ENV_FILE},
        {"env-format", required_argument, NULL, OPT_ENV_FORMAT},
        {"env-names", required_argument, NULL, OPT_ENV_NAMES},
        {"report", required_argument, NULL, OPT_REPORT},
        {"concurrency", required_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"connect-to", required_argument, NULL, OPT_CONNECT_TO},
        {"proxy", required_argument, NULL, OPT_PROXY},
        {"noproxy", required_argument, NULL, OPT_NOPROXY},
        {"cacert", required_argument, NULL, OPT_CACERT},
        {"capath", required_argument, NULL, OPT_CAPATH},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"retries", required_argument, NULL, OPT_RETRIES},
        {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
        {"retry-max-wait", required_argument, NULL, OPT_RETRY_MAX_WAIT},
        {"deadline", required_argument, NULL, OPT_DEADLINE},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"prom", required_argument, NULL, OPT_PROM},
        {"verify", no_argument, NULL, OPT_VERIFY},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"max-token-age", required_argument, NULL, OPT_MAX_TOKEN_AGE},
        {"on-change", required_argument, NULL, OPT_ON_CHANGE},
        {"on-change-timeout", required_argument, NULL, OPT_ON_CHANGE_TIMEOUT},
        {"target", required_argument, NULL, OPT_TARGET},
        {"keep-alive", required_argument, NULL, OPT_KEEP_ALIVE},
        {"keep-password-env", no_argument, NULL, OPT_KEEP_PASSWORD_ENV},
        {"cycles", required_argument, NULL, OPT_CYCLES},
        {"json", no_argument, NULL, OPT_JSON},
        {"org-token-env", required_argument, NULL, OPT_ORG_TOKEN_ENV},
        {"org-token-file", required_argument, NULL, OPT_ORG_TOKEN_FILE},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, OPT_FORCE},
        {"api-url", required_argument, NULL, OPT_API_URL},
        {"status", required_argument, NULL, OPT_STATUS},
        {"token-env", required_argument, NULL, OPT_TOKEN_ENV},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *name = command_names[cmd];
    memset(out, 0, sizeof *out);
    out->concurrency = 64;
    out->timeout_ms = 10000;
    out->env_format = ENV_FORMAT_PORTABLE;
    out->retries = 3;
    out->retry_delay_ms = 500;
    out->retry_max_wait_ms = 60000;
    out->interval_ms = cmd == CMD_WATCH ? 600000 : 0;
    out->on_change_timeout_ms = 30000;

    optind = 1;
    opterr = 0;
    int c, longindex = -1;
    /* exec's command starts after --: stop there, and at the first word that is no option. */
    const char *optstring = cmd == CMD_EXEC ? "+:i:j:qvh" : ":i:j:o:qvh";
    while ((c = getopt_long(argc, argv, optstring, longopts, &longindex)) != -1) {
        unsigned only = FOR_ALL;
        /* The option's name for messages: argv[optind - 1] is its value when given apart. */
        char opt[32];
        if (longindex >= 0)
            snprintf(opt, sizeof opt, "--%s", longopts[longindex].name);
        else
            snprintf(opt, sizeof opt, "-%c", c);
        longindex = -1;
        /* As in curl, --proxy "" means no proxy and --noproxy "" an empty list. */
        if (optarg && !*optarg && c != ':' && c != OPT_PROXY && c != OPT_NOPROXY)
            return usage(name, "%s needs a value, not an empty string", opt);
        switch (c) {
        case 'i':
            out->inventory = optarg;
            break;
        case 'q':
            only = FOR_ALL | FOR_DISCOVER;
            out->verbosity = -1;
            break;
        case 'v':
            only = (FOR_ALL & ~FOR_LIST) | FOR_DISCOVER;
            out->verbosity = 1;
            break;
        case 'h':
            fputs((const char *const[]){validate_help, provision_help, check_help, watch_help,
                                        exec_help, list_help, discover_help}[cmd],
                  stdout);
            return PARSE_EXIT_OK;
        case OPT_LIMIT:
            if (push(&out->limits, &out->n_limits, optarg) != 0)
                return out_of_memory();
            break;
        case OPT_JUNIT:
            only = FOR_CHECK;
            out->junit = optarg;
            break;
        case OPT_PROM:
            only = FOR_CHECK | FOR_WATCH;
            out->prom = optarg;
            break;
        case OPT_VERIFY:
            only = FOR_CHECK | FOR_VALIDATE;
            out->verify = 1;
            break;
        case OPT_SHARD: {
            only = FOR_ALL & ~FOR_EXEC; /* exec names its targets */
            unsigned k, n;
            int used = 0;
            if (sscanf(optarg, "%u/%u%n", &k, &n, &used) != 2 || optarg[used] || n == 0 ||
                n > 65536 || k >= n)
                return usage(name,
                             "--shard: \"%s\" is not K/N with 0 <= K < N (e.g. 0/4; in a "
                             "Kubernetes Indexed Job, $JOB_COMPLETION_INDEX/N)",
                             optarg);
            out->shard = (struct shard){k, n};
            break;
        }
        case OPT_ENV_DIR:
            only = FOR_PROVISION | FOR_VALIDATE | FOR_WATCH;
            out->env_dir = optarg;
            break;
        case OPT_ENV_FILE:
            only = FOR_PROVISION | FOR_VALIDATE | FOR_WATCH;
            out->env_file = optarg;
            break;
        case OPT_REPORT:
            only = FOR_RUNS | FOR_WATCH;
            out->report = optarg;
            break;
        case OPT_ENV_FORMAT:
            only = FOR_PROVISION | FOR_VALIDATE | FOR_WATCH;
            if (envfile_format_parse(optarg, &out->env_format) != 0)
                return usage(name, "--env-format: \"%s\" is not a format (portable or sh)", optarg);
            break;
        case OPT_ENV_NAMES:
            only = FOR_PROVISION | FOR_VALIDATE | FOR_WATCH | FOR_EXEC;
            if (!(out->env_names = env_names_preset(optarg)))
                return usage(name,
                             "--env-names: \"%s\" is not a set of names (" ENV_NAMES_PRESETS ")",
                             optarg);
            break;
        case 'j': {
            only = FOR_REQUESTS;
            if (whole_number(optarg, 1, 10000, &out->concurrency) != 0)
                return usage(name, "-j: \"%s\" is not a number from 1 to 10000", optarg);
            break;
        }
        case OPT_RETRIES: {
            only = FOR_SENDERS;
            if (whole_number(optarg, 0, 100, &out->retries) != 0)
                return usage(name, "--retries: \"%s\" is not a number from 0 to 100", optarg);
            break;
        }
        case OPT_TIMEOUT:
        case OPT_CONNECT_TIMEOUT:
        case OPT_RETRY_DELAY:
        case OPT_RETRY_MAX_WAIT:
        case OPT_DEADLINE: {
            only = c == OPT_DEADLINE ? FOR_RUNS | FOR_EXEC | FOR_DISCOVER : FOR_SENDERS;
            long ms = seconds_ms(optarg, c == OPT_RETRY_DELAY || c == OPT_RETRY_MAX_WAIT);
            if (ms < 0)
                return usage(name, "%s: \"%s\" is not a number of seconds (e.g. 10 or 2.5)", opt,
                             optarg);
            long *dst = c == OPT_TIMEOUT           ? &out->timeout_ms
                        : c == OPT_CONNECT_TIMEOUT ? &out->connect_timeout_ms
                        : c == OPT_RETRY_DELAY     ? &out->retry_delay_ms
                        : c == OPT_RETRY_MAX_WAIT  ? &out->retry_max_wait_ms
                                                   : &out->deadline_ms;
            *dst = ms;
            break;
        }
        case OPT_CONNECT_TO: {
            only = FOR_SENDERS;
            size_t colons = 0;
            for (const char *p = optarg; *p; p++)
                colons += *p == ':';
            if (colons < 3)
                return usage(name, "--connect-to: \"%s\" is not HOST1:PORT1:HOST2:PORT2", optarg);
            if (push(&out->connect_to, &out->n_connect_to, optarg) != 0)
                return out_of_memory();
            break;
        }
        case OPT_PROXY: {
            only = FOR_SENDERS;
            const char *why = *optarg ? proxy_check(optarg) : NULL;
            if (why) {
                char *shown = proxy_display(optarg);
                proxy_hide_userinfo(optarg);
                if (!shown)
                    return out_of_memory();
                enum parse_result pr = usage(name,
                                             "--proxy: \"%s\" is not a proxy URL (%s); give "
                                             "[SCHEME://][USER:PASSWORD@]HOST[:PORT]",
                                             shown, why);
                free(shown);
                return pr;
            }
            text_free_secret(out->proxy);
            if (!(out->proxy = strdup(optarg)))
                return out_of_memory();
            /* ps shows the command line with the user name and password as asterisks. */
            proxy_hide_userinfo(optarg);
            break;
        }
        case OPT_NOPROXY:
            only = FOR_SENDERS;
            out->noproxy = optarg;
            break;
        case OPT_CACERT:
            only = FOR_SENDERS;
            out->cacert = optarg;
            break;
        case OPT_CAPATH:
            only = FOR_SENDERS;
            out->capath = optarg;
            break;
        case OPT_DRY_RUN:
            only = FOR_RUNS;
            out->dry_run = 1;
            break;
        case OPT_INTERVAL:
        case OPT_MAX_TOKEN_AGE:
        case OPT_ON_CHANGE_TIMEOUT:
        case OPT_KEEP_ALIVE: {
            only = c == OPT_INTERVAL        ? FOR_WATCH
                   : c == OPT_KEEP_ALIVE    ? FOR_EXEC
                   : c == OPT_MAX_TOKEN_AGE ? FOR_WATCH | FOR_EXEC
                                            : FOR_WATCH;
            long ms = duration_ms(optarg);
            if (ms < 0)
                return usage(name,
                             "%s: \"%s\" is not a duration (e.g. 90s, 10m, 1h; a plain number is "
                             "seconds)",
                             opt, optarg);
            if (ms < 1000 && c != OPT_ON_CHANGE_TIMEOUT)
                return usage(name, "%s: \"%s\" is too short; give 1s or more", opt, optarg);
            *(c == OPT_MAX_TOKEN_AGE       ? &out->max_token_age_ms
              : c == OPT_ON_CHANGE_TIMEOUT ? &out->on_change_timeout_ms
                                           : &out->interval_ms) = ms;
            break;
        }
        case OPT_ON_CHANGE:
            only = FOR_WATCH;
            out->on_change = optarg;
            break;
        case OPT_TARGET:
            only = FOR_EXEC;
            if (push(&out->targets, &out->n_targets, optarg) != 0)
                return out_of_memory();
            break;
        case OPT_CYCLES: {
            only = FOR_WATCH;
            long v;
            if (whole_number(optarg, 1, 1000000000L, &v) != 0)
                return usage(name, "--cycles: \"%s\" is not a number from 1 up", optarg);
            out->max_cycles = (unsigned long)v;
            break;
        }
        case OPT_KEEP_PASSWORD_ENV:
            only = FOR_EXEC;
            out->keep_password_env = 1;
            break;
        case OPT_JSON:
            only = FOR_LIST;
            out->json = 1;
            break;
        case OPT_ORG_TOKEN_ENV:
        case OPT_TOKEN_ENV:
            only = FOR_DISCOVER;
            if (app_token_looks_like(optarg))
                return usage(name,
                             "%s takes the name of the variable that holds the token, not the "
                             "token (which is never given on the command line)",
                             opt);
            if (!env_names_valid(optarg))
                return usage(name,
                             "%s: \"%s\" is not a variable name (letters, digits and _, not "
                             "starting with a digit; no $)",
                             opt, optarg);
            *(c == OPT_TOKEN_ENV ? &out->token_env : &out->org_token_env) = optarg;
            break;
        case OPT_ORG_TOKEN_FILE:
            only = FOR_DISCOVER;
            if (app_token_looks_like(optarg))
                return usage(name,
                             "%s takes the path of the file that holds the token, not the "
                             "token (which is never given on the command line)",
                             opt);
            out->org_token_file = optarg;
            break;
        case 'o':
            only = FOR_DISCOVER;
            out->output = optarg;
            break;
        case OPT_FORCE:
            only = FOR_DISCOVER;
            out->force = 1;
            break;
        case OPT_API_URL: {
            only = FOR_DISCOVER;
            const char *why = api_url_problem(optarg);
            if (why)
                return usage(name, "--api-url: \"%s\" %s", optarg, why);
            free(out->api_url);
            if (!(out->api_url = strdup(optarg)))
                return out_of_memory();
            for (size_t n = strlen(out->api_url); n > 8 && out->api_url[n - 1] == '/'; n--)
                out->api_url[n - 1] = '\0';
            break;
        }
        case OPT_STATUS: {
            only = FOR_DISCOVER;
            enum parse_result pr = parse_statuses(name, optarg, out);
            if (pr != PARSE_OK)
                return pr;
            break;
        }
        case ':':
            return usage(name, "%s needs a value", argv[optind - 1]);
        default:
            if (cmd == CMD_DISCOVER && !strncmp(argv[optind - 1], "--org-token", 11))
                return usage(name, "%s",
                             "the organization token is never taken on the command line, which "
                             "every user can read (ps): give --org-token-env NAME or "
                             "--org-token-file PATH");
            return unknown_option(name, argv[optind - 1], longopts);
        }
        if (!(only & (1u << cmd))) {
            char owners[64];
            return usage(name, "%s belongs to %s, not %s", opt,
                         commands_of(only, owners, sizeof owners), name);
        }
    }
    if (cmd == CMD_EXEC) {
        if (optind < 1 || strcmp(argv[optind - 1], "--") != 0 || optind >= argc)
            return usage(name, "%s",
                         optind < argc && strcmp(argv[optind - 1], "--") != 0
                             ? "put -- before the command to run (tokenfleet exec -i FILE "
                               "--target NAME -- CMD ARGS...)"
                             : "which command? Give it after -- (tokenfleet exec -i FILE "
                               "--target NAME -- CMD ARGS...)");
        out->command = argv + optind;
    } else if (optind < argc) {
        return usage(name, "unexpected argument \"%s\"", argv[optind]);
    }
    if (cmd == CMD_DISCOVER)
        return discover_defaults(name, out);
    if (!out->inventory)
        return usage(name, "%s", "which inventory? Give -i FILE");
    if (cmd == CMD_WATCH && !strcmp(out->inventory, "-"))
        return usage(name, "%s",
                     "-i -: watch reads the inventory again on SIGHUP, and standard input "
                     "cannot be read twice; give the inventory's file (-i fleet.yaml)");
    if (cmd == CMD_WATCH && !out->env_dir)
        return usage(name, "%s", "where do the env files go? Give --env-dir DIR");
    if (cmd == CMD_EXEC && !out->n_targets && !out->n_limits)
        return usage(name, "%s", "which targets? Give --target NAME (or --limit PATTERN)");
    if (out->max_token_age_ms && out->interval_ms && out->max_token_age_ms < out->interval_ms)
        return usage(name,
                     "--max-token-age (%ld s) is shorter than the %s (%ld s): tokens would be "
                     "replaced every cycle; make it longer than the interval",
                     out->max_token_age_ms / 1000,
                     cmd == CMD_EXEC ? "--keep-alive interval" : "--interval",
                     out->interval_ms / 1000);
    if (cmd == CMD_EXEC && out->max_token_age_ms && !out->interval_ms)
        return usage(name, "%s",
                     "--max-token-age needs --keep-alive: only a kept-alive child "
                     "gets its tokens replaced");
    return PARSE_OK;
}

void cli_free(struct cli *c)
{
    free(c->limits);
    free(c->connect_to);
    free(c->targets);
    free(c->api_url);
    free(c->status_text);
    free(c->statuses);
    text_free_secret(c->proxy);
    c->proxy = NULL;
    c->limits = NULL;
    c->connect_to = NULL;
    c->targets = NULL;
    c->api_url = NULL;
    c->status_text = NULL;
    c->statuses = NULL;
}
