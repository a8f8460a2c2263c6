/* emu_main: stargate-emulator's command line and lifetime: options, daemon, port file, signals. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "emu_apptokens.h"
#include "emu_databases.h"
#include "emu_faults.h"
#include "emu_http.h"
#include "emu_keyspaces.h"
#include "emu_reqlog.h"
#include "emu_sched.h"
#include "emu_tokens.h"
#include "emu_users.h"

#define PROG "stargate-emulator"

/* Largest certificate or key file read (bytes). */
#define EMU_PEM_MAX (1024 * 1024)
/* Connections served at once, over all threads. */
#define EMU_CONNECTION_LIMIT 4096u
/* Idle seconds before a connection is closed. */
#define EMU_CONNECTION_TIMEOUT 60u
#define EMU_LISTEN_BACKLOG     1024u
/* Largest --delay (ms): ten minutes. */
#define EMU_DELAY_MAX_MS 600000u

struct emu_options {
    const char *users_path;   /* --users: "username:password" lines */
    const char *port_file;    /* --port-file, or NULL */
    const char *log_path;     /* --log, or NULL */
    const char *bind_addr;    /* --bind: a numeric IPv4 or IPv6 address */
    unsigned int port;        /* --port; 0: ephemeral */
    const char *tls_cert;     /* --tls-cert PEM file, or NULL for plain HTTP */
    const char *tls_key;      /* --tls-key PEM file, or NULL */
    unsigned int threads;     /* --threads: MHD thread pool size */
    unsigned int token_ttl;   /* --token-ttl: seconds a token lives after its last use */
    unsigned int token_cache; /* --token-cache: seconds a validated token is cached; 0: none */
    const char *faults;       /* --faults: fault rules file, or NULL */
    unsigned int delay_ms;    /* --delay: ms to wait before every answer; 0: none */
    const char *keyspaces;    /* --keyspaces: "KEYSPACE [USER...]" lines, or NULL: no keyspace */
    const char *databases;    /* --databases: JSON array of the DevOps API's databases, or NULL */
    const char *app_tokens;   /* --app-tokens: "TOKEN [DATABASE-ID...]" lines, or NULL: none */
    const char *org_tokens;   /* --org-tokens: the same for the DevOps API, or NULL: none */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " --users FILE [--port-file FILE] [--log FILE] [--bind ADDR]\n"
            "       [--port N] [--tls-cert FILE --tls-key FILE] [--threads N]\n"
            "       [--token-ttl SECONDS] [--token-cache SECONDS] [--faults FILE] [--delay MS]\n"
            "       [--keyspaces FILE] [--databases FILE] [--app-tokens FILE] [--org-tokens FILE]\n"
            "\n"
            "A Stargate v1 auth API server for tests: POST /v1/auth, /v1/auth/token/generate and\n"
            "/v1/admin/auth/usernametoken, and the REST API's GET /v2/schemas/keyspaces/KEYSPACE\n"
            "(with X-Cassandra-Token), all also under /api/rest as on Astra. Also Astra's DevOps\n"
            "API (GET /v2/databases[/ID], for Host api.astra.datastax.com or any path under\n"
            "/v2/databases) and the Data API's POST /api/json/v1/KEYSPACE (findCollections).\n"
            "\n"
            "  --users FILE      accounts, one username:password a line (required)\n"
            "  --port-file FILE  write the bound port there once listening (atomically)\n"
            "  --log FILE        append host, method, path, request id, status per request\n"
            "  --bind ADDR       numeric address to listen on (default 127.0.0.1)\n"
            "  --port N          port to listen on (default 0: any free port)\n"
            "  --tls-cert FILE   serve HTTPS with this PEM certificate (chain)...\n"
            "  --tls-key FILE    ...and this PEM private key\n"
            "  --threads N       worker threads (default 2)\n"
            "  --token-ttl SECS  token lifetime after its last use (default %u)\n"
            "  --token-cache SECS\n"
            "                    a use within SECS of the last one that slid the lifetime is\n"
            "                    taken from a cache and does not slide it (default %u; 0: none)\n"
            "  --faults FILE     inject gateway errors, stalls, resets, odd bodies by rule:\n"
            "                    'user:NAME|host:GLOB STEP[,STEP...][*]' a line (see README.md)\n"
            "  --delay MS        wait MS milliseconds before every answer (default 0)\n"
            "  --keyspaces FILE  keyspaces of the REST API, 'KEYSPACE [USER...]' a line (no\n"
            "                    users: every user may see it); without it there are none\n"
            "  --databases FILE  the DevOps API's databases: a JSON array as GET /v2/databases\n"
            "                    returns it\n"
            "  --app-tokens FILE application tokens the REST API and the Data API accept,\n"
            "                    'TOKEN [DATABASE-ID...]' a line (no ids: every database)\n"
            "  --org-tokens FILE tokens the DevOps API accepts, in the same form (the ids: the\n"
            "                    databases the token may view)\n"
            "\n"
            "Runs until SIGINT or SIGTERM; SIGUSR1 forgets every token; SIGUSR2 reads the\n"
            "--app-tokens and --org-tokens files again. Exit status: 0 after a signal, 2 for a\n"
            "bad command line or input file, 1 for any other failure.\n",
            EMU_TOKEN_TTL_DEFAULT, EMU_TOKEN_CACHE_DEFAULT);
}

/* Parses a decimal in [MIN, MAX] into *OUT. Returns 0, or -1 after a message naming OPT. */
static int parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
                      unsigned int *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, PROG ": --%s %s: expected a whole number from %lu to %lu\n", opt, s, min,
                max);
        return -1;
    }
    *out = (unsigned int)v;
    return 0;
}

/* Returns 0 to run, 1 after printing help, -1 after a usage message. */
static int parse_options(int argc, char **argv, struct emu_options *o)
{
    static const struct option longopts[] = {
        {"users", required_argument, NULL, 'u'},
        {"port-file", required_argument, NULL, 'f'},
        {"log", required_argument, NULL, 'l'},
        {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'},
        {"token-ttl", required_argument, NULL, 'T'},
        {"token-cache", required_argument, NULL, 'C'},
        {"faults", required_argument, NULL, 'F'},
        {"delay", required_argument, NULL, 'd'},
        {"keyspaces", required_argument, NULL, 'K'},
        {"databases", required_argument, NULL, 'D'},
        {"app-tokens", required_argument, NULL, 'A'},
        {"org-tokens", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'u':
            o->users_path = optarg;
            break;
        case 'f':
            o->port_file = optarg;
            break;
        case 'l':
            o->log_path = optarg;
            break;
        case 'b':
            o->bind_addr = optarg;
            break;
        case 'p':
            if (parse_uint("port", optarg, 0, 65535, &o->port) != 0)
                return -1;
            break;
        case 'c':
            o->tls_cert = optarg;
            break;
        case 'k':
            o->tls_key = optarg;
            break;
        case 't':
            if (parse_uint("threads", optarg, 1, 256, &o->threads) != 0)
                return -1;
            break;
        case 'T':
            if (parse_uint("token-ttl", optarg, 1, 10u * 365 * 24 * 3600, &o->token_ttl) != 0)
                return -1;
            break;
        case 'C':
            if (parse_uint("token-cache", optarg, 0, 10u * 365 * 24 * 3600, &o->token_cache) != 0)
                return -1;
            break;
        case 'F':
            o->faults = optarg;
            break;
        case 'd':
            if (parse_uint("delay", optarg, 0, EMU_DELAY_MAX_MS, &o->delay_ms) != 0)
                return -1;
            break;
        case 'K':
            o->keyspaces = optarg;
            break;
        case 'D':
            o->databases = optarg;
            break;
        case 'A':
            o->app_tokens = optarg;
            break;
        case 'O':
            o->org_tokens = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            fprintf(stderr, "Try '" PROG " --help'.\n");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument '%s'; try '" PROG " --help'\n", argv[optind]);
        return -1;
    }
    if (o->users_path == NULL) {
        fprintf(stderr, PROG ": --users FILE is required; try '" PROG " --help'\n");
        return -1;
    }
    if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
        fprintf(stderr, PROG ": --tls-cert and --tls-key go together; give both or neither\n");
        return -1;
    }
    return 0;
}

/* Returns PATH's contents, NUL-terminated, newly allocated; or NULL after a message. */
static char *read_pem(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        return NULL;
    }
    buf = malloc(EMU_PEM_MAX + 1);
    if (buf == NULL) {
        fprintf(stderr, PROG ": %s: out of memory\n", path);
        goto out;
    }
    len = fread(buf, 1, EMU_PEM_MAX + 1, f);
    if (ferror(f)) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        goto fail;
    }
    if (len > EMU_PEM_MAX) {
        fprintf(stderr, PROG ": %s: larger than %d bytes; is it a PEM file?\n", path, EMU_PEM_MAX);
        goto fail;
    }
    buf[len] = '\0';
    goto out;
fail:
    free(buf);
    buf = NULL;
out:
    fclose(f);
    return buf;
}

/* Fills *SS with ADDR:PORT. Returns 0, or -1 after a message. */
static int resolve_bind(const char *addr, unsigned int port, struct sockaddr_storage *ss,
                        bool *ipv6)
{
    struct addrinfo hints = {
        .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(addr, NULL, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, PROG ": --bind %s: %s (give a numeric address such as 127.0.0.1 or ::1)\n",
                addr, gai_strerror(rc));
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *ipv6 = res->ai_family == AF_INET6;
    if (*ipv6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    freeaddrinfo(res);
    return 0;
}

/* Writes "PORT\n" to PATH through a temporary file and rename, so no reader sees half of it.
 * Returns 0, or -1 after a message. */
static int write_port_file(const char *path, unsigned int port)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + sizeof ".XXXXXX");
    char text[16];
    int fd = -1;
    int rc = -1;

    if (tmp == NULL) {
        fprintf(stderr, PROG ": %s: out of memory\n", path);
        return -1;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    int len = snprintf(text, sizeof text, "%u\n", port);
    if (fchmod(fd, 0644) != 0 || write(fd, text, (size_t)len) != (ssize_t)len) {
        fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* A benchmark opens thousands of connections; the default 1024 descriptors may not do. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
}

/*
 * SIGUSR2: reads the token files again, each replaced only if it reads well (a bad one keeps its
 * tokens and says why on stderr). The log line comes after, status 0 when every file was read, 2
 * when one was bad, so a test may wait for it.
 */
static void reload_tokens(struct emu_apptokens *app, struct emu_apptokens *org,
                          struct emu_reqlog *reqlog)
{
    long napp = emu_apptokens_reload(app, stderr);
    long norg = emu_apptokens_reload(org, stderr);
    bool ok = napp >= 0 && norg >= 0;
    emu_reqlog_write(reqlog, NULL, "SIGUSR2", NULL, NULL, ok ? 0 : 2);
    fprintf(stderr, PROG ": SIGUSR2: %s; %zu application and %zu organization token(s)\n",
            ok ? "token files read again" : "a token file is bad, kept its old tokens",
            emu_apptokens_count(app), emu_apptokens_count(org));
}

int main(int argc, char **argv)
{
    struct emu_options o = {
        .bind_addr = "127.0.0.1",
        .threads = 2,
        .token_ttl = EMU_TOKEN_TTL_DEFAULT,
        .token_cache = EMU_TOKEN_CACHE_DEFAULT,
    };
    struct emu_users *users = NULL;
    struct emu_tokens *tokens = NULL;
    struct emu_reqlog *reqlog = NULL;
    struct emu_faults *faults = NULL;
    struct emu_keyspaces *keyspaces = NULL;
    struct emu_databases *databases = NULL;
    struct emu_apptokens *app_tokens = NULL;
    struct emu_apptokens *org_tokens = NULL;
    struct emu_sched *sched = NULL;
    struct MHD_Daemon *daemon = NULL;
    char *cert = NULL;
    char *key = NULL;
    struct sockaddr_storage addr;
    bool ipv6 = false;
    sigset_t signals;
    int sig;
    int status = 2;

    switch (parse_options(argc, argv, &o)) {
    case 1:
        return 0;
    case -1:
        return 2;
    default:
        break;
    }
    users = emu_users_load(o.users_path, stderr);
    if (users == NULL)
        goto out;
    if (o.faults != NULL && (faults = emu_faults_load(o.faults, stderr)) == NULL)
        goto out;
    if (o.keyspaces != NULL && (keyspaces = emu_keyspaces_load(o.keyspaces, stderr)) == NULL)
        goto out;
    if (o.databases != NULL && (databases = emu_databases_load(o.databases, stderr)) == NULL)
        goto out;
    if (o.app_tokens != NULL && (app_tokens = emu_apptokens_load(o.app_tokens, stderr)) == NULL)
        goto out;
    if (o.org_tokens != NULL && (org_tokens = emu_apptokens_load(o.org_tokens, stderr)) == NULL)
        goto out;
    if (o.tls_cert != NULL &&
        ((cert = read_pem(o.tls_cert)) == NULL || (key = read_pem(o.tls_key)) == NULL))
        goto out;
    if (resolve_bind(o.bind_addr, o.port, &addr, &ipv6) != 0)
        goto out;

    status = 1;
    tokens = emu_tokens_new(o.token_ttl, o.token_cache);
    if (tokens == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        goto out;
    }
    if (o.log_path != NULL && (reqlog = emu_reqlog_open(o.log_path, stderr)) == NULL)
        goto out;

    /* Block the signals acted on before MHD starts its threads, which inherit the mask: then only
     * sigwait below sees them, and no handler runs at all, in a worker or elsewhere. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGUSR1);
    sigaddset(&signals, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();

    /* Delays, stalls and drips suspend their connection and a timer thread resumes it, so no
     * worker ever blocks. Without them the daemon runs as before, without suspend/resume. */
    bool holding = faults != NULL || o.delay_ms > 0;
    if (holding && (sched = emu_sched_new()) == NULL) {
        fprintf(stderr, PROG ": cannot start the timer thread\n");
        goto out;
    }
    struct emu_server srv = {
        .users = users,
        .tokens = tokens,
        .keyspaces = keyspaces,
        .databases = databases,
        .app_tokens = app_tokens,
        .org_tokens = org_tokens,
        .log = reqlog,
        .faults = faults,
        .sched = sched,
        .delay_ms = o.delay_ms,
    };
    /* The options that depend on the command line; MHD warns about a pool of one thread. */
    struct MHD_OptionItem extra[4];
    size_t n_extra = 0;
    if (o.threads > 1)
        extra[n_extra++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o.threads, NULL};
    if (cert != NULL) {
        extra[n_extra++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
        extra[n_extra++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
    }
    extra[n_extra] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_POLL;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    if (cert != NULL)
        flags |= MHD_USE_TLS;
    if (holding)
        flags |= MHD_ALLOW_SUSPEND_RESUME;
    /* The logger goes first so that MHD reports even its option errors through it; one option
     * and its values a line. */
    /* clang-format off */
    daemon = MHD_start_daemon(flags, 0, NULL, NULL, emu_http_on_request, &srv,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                              MHD_OPTION_CONNECTION_LIMIT, EMU_CONNECTION_LIMIT,
                              MHD_OPTION_CONNECTION_TIMEOUT, EMU_CONNECTION_TIMEOUT,
                              MHD_OPTION_LISTEN_BACKLOG_SIZE, EMU_LISTEN_BACKLOG,
                              MHD_OPTION_NOTIFY_COMPLETED, emu_http_on_completed, &srv,
                              MHD_OPTION_ARRAY, extra,
                              MHD_OPTION_END);
    /* clang-format on */
    if (daemon == NULL) {
        fprintf(stderr, PROG ": cannot serve on %s port %u (see the message above)\n", o.bind_addr,
                o.port);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned int port = info != NULL ? info->port : o.port;
    if (port == 0) {
        fprintf(stderr, PROG ": cannot tell which port the server is bound to\n");
        goto out;
    }
    if (o.port_file != NULL && write_port_file(o.port_file, port) != 0)
        goto out;
    fprintf(stderr, PROG ": serving %s://%s%s%s:%u/ for %zu user(s)",
            cert != NULL ? "https" : "http", ipv6 ? "[" : "", o.bind_addr, ipv6 ? "]" : "", port,
            emu_users_count(users));
    if (keyspaces != NULL)
        fprintf(stderr, ", %zu keyspace(s)", emu_keyspaces_count(keyspaces));
    if (databases != NULL)
        fprintf(stderr, ", %zu database(s)", emu_databases_count(databases));
    if (app_tokens != NULL)
        fprintf(stderr, ", %zu application token(s)", emu_apptokens_count(app_tokens));
    if (org_tokens != NULL)
        fprintf(stderr, ", %zu organization token(s)", emu_apptokens_count(org_tokens));
    if (faults != NULL)
        fprintf(stderr, ", %zu fault rule(s)", emu_faults_count(faults));
    if (o.delay_ms > 0)
        fprintf(stderr, ", %u ms delay", o.delay_ms);
    fputc('\n', stderr);

    for (;;) {
        if (sigwait(&signals, &sig) != 0)
            continue;
        if (sig == SIGUSR2) {
            reload_tokens(app_tokens, org_tokens, reqlog);
            continue;
        }
        if (sig != SIGUSR1)
            break;
        /* A coordinator that lost its token table: an ordinary thread here, so locking is fine.
         * The log line comes after, so a test that sees it knows every token is gone. */
        size_t n = emu_tokens_forget(tokens);
        emu_reqlog_write(reqlog, NULL, "SIGUSR1", NULL, NULL, 0);
        fprintf(stderr, PROG ": SIGUSR1: forgot %zu token(s)\n", n);
    }
    status = 0;
out:
    /* MHD must not be stopped with suspended connections: resume them all first. */
    emu_sched_stop(sched);
    if (daemon != NULL)
        MHD_stop_daemon(daemon);
    emu_sched_free(sched);
    emu_faults_free(faults);
    emu_keyspaces_free(keyspaces);
    emu_databases_free(databases);
    emu_apptokens_free(app_tokens);
    emu_apptokens_free(org_tokens);
    emu_reqlog_close(reqlog);
    emu_tokens_free(tokens);
    emu_users_free(users);
    free(cert);
    if (key != NULL) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
    return status;
}
