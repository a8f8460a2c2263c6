/* emu_faults: a rule list read once, and a hash table of how far each (rule, host) pair has got. */
#include "emu_faults.h"
#include "emu_conf.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/hash.h"

/* Longest accepted line, line end included. */
#define EMU_FAULTS_MAX_LINE (64 * 1024)
/* Most steps in one rule. */
#define EMU_FAULTS_MAX_STEPS 10000u
/* Most (rule, host) pairs counted; a test fleet has far fewer hosts. */
#define EMU_FAULTS_MAX_PAIRS (1024u * 1024u)
/* Largest delay=MS+ (ms): ten minutes. */
#define EMU_FAULTS_MAX_DELAY_MS 600000ul
/* Largest Retry-After value (s). */
#define EMU_FAULTS_MAX_RETRY_AFTER 2147483647ul
/* Largest retry-after-date offset (s): ten years, so the date stays printable. */
#define EMU_FAULTS_MAX_RETRY_DATE (10ul * 366 * 24 * 3600)

struct emu_rule {
    bool by_host;                 /* host:GLOB; otherwise user:NAME */
    char *pattern;                /* the glob or the user name, NUL-terminated */
    size_t pattern_len;           /* bytes in PATTERN */
    struct emu_fault_step *steps; /* NSTEPS steps, consumed in order */
    size_t nsteps;                /* at least 1 */
    bool repeat;                  /* '*': the last step repeats once the others are used up */
};

/* How many steps of rule RULE the host HOST has consumed. */
struct emu_pair {
    struct emu_pair *next; /* next in the same bucket */
    size_t rule;           /* index into emu_faults.rules */
    size_t used;           /* steps consumed, at most the rule's NSTEPS */
    size_t hlen;           /* bytes in HOST */
    char host[];           /* lowercase host without its port, NUL-terminated */
};

struct emu_faults {
    struct emu_rule *rules;    /* in file order: the first match wins */
    size_t nrules;             /* entries in RULES */
    bool has_user_rules;       /* at least one user:NAME rule */
    pthread_mutex_t lock;      /* guards everything below */
    struct emu_pair **buckets; /* NBUCKETS chains */
    size_t nbuckets;           /* a power of two */
    size_t npairs;             /* pairs in the table */
    bool full_reported;        /* the "table full" message went out once */
};

static const char step_names[] =
    "ok, 408, 429, 500, 502, 503, 504 (optionally :retry-after=N or :retry-after-date=N), stall, "
    "reset, truncate, html201, huge, empty201, token-newline, token-quotes, token-shell, "
    "token-empty, token-number or drip, each optionally after delay=MS+";

/* The simple steps, by name. */
static const struct {
    const char *name;
    enum emu_fault_action action;
} actions[] = {
    {"ok", EMU_FAULT_OK},
    {"stall", EMU_FAULT_STALL},
    {"reset", EMU_FAULT_RESET},
    {"truncate", EMU_FAULT_TRUNCATE},
    {"html201", EMU_FAULT_HTML201},
    {"huge", EMU_FAULT_HUGE},
    {"empty201", EMU_FAULT_EMPTY201},
    {"token-newline", EMU_FAULT_TOKEN_NEWLINE},
    {"token-quotes", EMU_FAULT_TOKEN_QUOTES},
    {"token-shell", EMU_FAULT_TOKEN_SHELL},
    {"token-empty", EMU_FAULT_TOKEN_EMPTY},
    {"token-number", EMU_FAULT_TOKEN_NUMBER},
    {"drip", EMU_FAULT_DRIP},
};

static const unsigned int statuses[] = {408, 429, 500, 502, 503, 504};

/* Where a parse error goes: the file, the line, and a printf-style reason. */
/* Parses S (N bytes, all of it) as a decimal up to MAX into *OUT. Returns false if it is not. */
static bool parse_num(const char *s, size_t n, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    return n >= p && memcmp(s, prefix, p) == 0;
}

/* Parses "503", "503:retry-after=N" or "503:retry-after-date=N" (S, N bytes). Returns 1 when it
 * is a status step (*ST filled), 0 when S does not start with digits, -1 after a message. */
static int parse_status(const struct emu_where *w, const char *s, size_t n,
                        struct emu_fault_step *st)
{
    size_t digits = 0;
    while (digits < n && s[digits] >= '0' && s[digits] <= '9')
        digits++;
    if (digits == 0)
        return 0;
    unsigned long code = 0;
    bool known = false;
    if (parse_num(s, digits, 999, &code)) {
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
            known = known || statuses[i] == code;
    }
    if (!known) {
        emu_conf_bad(w, "status '%.*s' cannot be injected; use 408, 429, 500, 502, 503 or 504",
                     (int)digits, s);
        return -1;
    }
    st->action = EMU_FAULT_STATUS;
    st->status = (unsigned int)code;
    if (digits == n)
        return 1;
    const char *opt = s + digits;
    size_t olen = n - digits;
    unsigned long v = 0;
    if (starts_with(opt, olen, ":retry-after-date=")) {
        size_t p = sizeof ":retry-after-date=" - 1;
        if (!parse_num(opt + p, olen - p, EMU_FAULTS_MAX_RETRY_DATE, &v)) {
            emu_conf_bad(w, "'%.*s': retry-after-date=N takes whole seconds from 0 to %lu", (int)n,
                         s, EMU_FAULTS_MAX_RETRY_DATE);
            return -1;
        }
        st->retry_after = EMU_RETRY_AFTER_DATE;
    } else if (starts_with(opt, olen, ":retry-after=")) {
        size_t p = sizeof ":retry-after=" - 1;
        if (!parse_num(opt + p, olen - p, EMU_FAULTS_MAX_RETRY_AFTER, &v)) {
            emu_conf_bad(w, "'%.*s': retry-after=N takes whole seconds from 0 to %lu", (int)n, s,
                         EMU_FAULTS_MAX_RETRY_AFTER);
            return -1;
        }
        st->retry_after = EMU_RETRY_AFTER_SECONDS;
    } else {
        emu_conf_bad(
            w, "'%.*s': after the status only :retry-after=N or :retry-after-date=N may follow",
            (int)n, s);
        return -1;
    }
    st->retry_after_s = (unsigned int)v;
    return 1;
}

/* Parses one step (S, N bytes) into *ST. Returns 0, or -1 after a message. */
static int parse_step(const struct emu_where *w, const char *s, size_t n, struct emu_fault_step *st)
{
    memset(st, 0, sizeof *st);
    if (n == 0) {
        emu_conf_bad(w, "empty step; steps are separated by single commas");
        return -1;
    }
    if (starts_with(s, n, "delay=")) {
        size_t p = sizeof "delay=" - 1;
        const char *plus = memchr(s + p, '+', n - p);
        unsigned long ms = 0;
        if (plus == NULL ||
            !parse_num(s + p, (size_t)(plus - (s + p)), EMU_FAULTS_MAX_DELAY_MS, &ms)) {
            emu_conf_bad(w,
                         "'%.*s': expected delay=MS+STEP with MS from 0 to %lu (e.g. delay=200+ok)",
                         (int)n, s, EMU_FAULTS_MAX_DELAY_MS);
            return -1;
        }
        st->delay_ms = (unsigned int)ms;
        n -= (size_t)(plus + 1 - s);
        s = plus + 1;
        if (n == 0) {
            emu_conf_bad(w, "'delay=%lu+' needs a step after the '+' (e.g. delay=%lu+ok)", ms, ms);
            return -1;
        }
    }
    int rc = parse_status(w, s, n, st);
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strlen(actions[i].name) == n && memcmp(actions[i].name, s, n) == 0) {
            st->action = actions[i].action;
            return 0;
        }
    }
    emu_conf_bad(w, "unknown step '%.*s'; expected %s", (int)n, s, step_names);
    return -1;
}

/* Parses STEPS (NUL-terminated) into R. Returns 0, or -1 after a message. */
static int parse_steps(const struct emu_where *w, const char *steps, struct emu_rule *r)
{
    size_t n = strlen(steps);
    if (n > 0 && steps[n - 1] == '*') {
        r->repeat = true;
        n--;
    }
    const char *star = memchr(steps, '*', n);
    if (star != NULL) {
        emu_conf_bad(w, "'*' may only end the step list (e.g. 503,503*)");
        return -1;
    }
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        count += steps[i] == ',';
    if (count > EMU_FAULTS_MAX_STEPS) {
        emu_conf_bad(w, "%zu steps; a rule has at most %u", count, EMU_FAULTS_MAX_STEPS);
        return -1;
    }
    r->steps = calloc(count, sizeof *r->steps);
    if (r->steps == NULL) {
        emu_conf_bad(w, "out of memory");
        return -1;
    }
    const char *p = steps;
    const char *end = steps + n;
    for (size_t i = 0; i < count; i++) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma != NULL ? comma : end;
        if (parse_step(w, p, (size_t)(stop - p), &r->steps[i]) != 0)
            return -1;
        p = stop + 1;
    }
    r->nsteps = count;
    return 0;
}

/* Parses MATCH (NUL-terminated) into R. Returns 0, or -1 after a message. */
static int parse_match(const struct emu_where *w, const char *match, struct emu_rule *r)
{
    const char *pat;
    if (strncmp(match, "user:", 5) == 0) {
        pat = match + 5;
    } else if (strncmp(match, "host:", 5) == 0) {
        r->by_host = true;
        pat = match + 5;
    } else {
        emu_conf_bad(w, "'%s' is not a match; expected user:NAME or host:GLOB", match);
        return -1;
    }
    if (*pat == '\0') {
        emu_conf_bad(w, "'%s' needs a %s after the ':'", match, r->by_host ? "glob" : "user name");
        return -1;
    }
    r->pattern = strdup(pat);
    if (r->pattern == NULL) {
        emu_conf_bad(w, "out of memory");
        return -1;
    }
    r->pattern_len = strlen(pat);
    return 0;
}

/*
 * Splits LINE in place into at most 3 whitespace-separated fields, stopping at a field that starts
 * with '#' (a comment). Returns the number of fields found (3 means "too many").
 */
static size_t split_fields(char *line, char *fields[3])
{
    size_t nf = 0;
    char *p = line;
    while (nf < 3) {
        while (emu_conf_is_space(*p))
            p++;
        if (*p == '\0' || *p == '#')
            break;
        fields[nf++] = p;
        while (*p != '\0' && !emu_conf_is_space(*p))
            p++;
        if (*p != '\0')
            *p++ = '\0';
    }
    return nf;
}

static void rule_clear(struct emu_rule *r)
{
    free(r->pattern);
    free(r->steps);
    memset(r, 0, sizeof *r);
}

/* Parses one line (NUL-terminated, no line end) into FS if it holds a rule. Returns 0, or -1
 * after a message. */
static int parse_line(const struct emu_where *w, char *line, struct emu_faults *fs, size_t *cap)
{
    char *fields[3];
    size_t nf = split_fields(line, fields);
    if (nf == 0)
        return 0;
    if (nf != 2) {
        emu_conf_bad(w,
                     "expected MATCH and STEPS separated by blanks (e.g. user:flaky 503,503,ok); "
                     "steps are separated by commas without blanks");
        return -1;
    }
    struct emu_rule r = {0};
    if (parse_match(w, fields[0], &r) != 0 || parse_steps(w, fields[1], &r) != 0)
        goto fail;
    struct emu_rule *nv = emu_conf_grow(fs->rules, fs->nrules, cap, sizeof *nv);
    if (nv == NULL) {
        emu_conf_bad(w, "out of memory");
        goto fail;
    }
    fs->rules = nv;
    fs->has_user_rules = fs->has_user_rules || !r.by_host;
    fs->rules[fs->nrules++] = r;
    return 0;
fail:
    rule_clear(&r);
    return -1;
}

struct reading {
    struct emu_faults *fs;
    size_t cap;
};

static int take_line(const struct emu_where *w, char *line, void *ctx)
{
    struct reading *r = ctx;
    return parse_line(w, line, r->fs, &r->cap);
}

struct emu_faults *emu_faults_load(const char *path, FILE *err)
{
    struct emu_faults *fs = calloc(1, sizeof *fs);
    if (fs == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        return NULL;
    }
    struct reading r = {.fs = fs};
    if (emu_conf_read_file(path, EMU_FAULTS_MAX_LINE, err, take_line, &r) != 0)
        goto fail;
    fs->nbuckets = 256;
    fs->buckets = calloc(fs->nbuckets, sizeof *fs->buckets);
    if (fs->buckets == NULL || pthread_mutex_init(&fs->lock, NULL) != 0) {
        fprintf(err, "%s: out of memory\n", path);
        free(fs->buckets);
        fs->buckets = NULL;
        goto fail;
    }
    return fs;
fail:
    for (size_t i = 0; i < fs->nrules; i++)
        rule_clear(&fs->rules[i]);
    free(fs->rules);
    free(fs);
    return NULL;
}

void emu_faults_free(struct emu_faults *fs)
{
    if (fs == NULL)
        return;
    for (size_t i = 0; i < fs->nbuckets; i++) {
        struct emu_pair *p = fs->buckets[i];
        while (p != NULL) {
            struct emu_pair *next = p->next;
            free(p);
            p = next;
        }
    }
    free(fs->buckets);
    for (size_t i = 0; i < fs->nrules; i++)
        rule_clear(&fs->rules[i]);
    free(fs->rules);
    pthread_mutex_destroy(&fs->lock);
    free(fs);
}

size_t emu_faults_count(const struct emu_faults *fs)
{
    return fs != NULL ? fs->nrules : 0;
}

bool emu_faults_has_user_rules(const struct emu_faults *fs)
{
    return fs != NULL && fs->has_user_rules;
}

/*
 * Returns HOST without its port ("h:443" -> "h", "[::1]:8080" -> "[::1]"), lowercased, newly
 * allocated (the caller frees it); "" for NULL. Returns NULL on ENOMEM.
 */
static char *bare_host(const char *host)
{
    if (host == NULL)
        host = "";
    size_t n = strlen(host);
    if (host[0] == '[') {
        const char *rb = strchr(host, ']');
        if (rb != NULL)
            n = (size_t)(rb - host) + 1;
    } else {
        const char *colon = strchr(host, ':');
        /* One colon is host:port; more would be a bare IPv6 address, which keeps them all. */
        if (colon != NULL && strchr(colon + 1, ':') == NULL)
            n = (size_t)(colon - host);
    }
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)host[i]);
    out[n] = '\0';
    return out;
}

static size_t hash_pair(size_t rule, const char *host, size_t hlen)
{
    return (size_t)hash_fnv1a64_add(HASH_FNV1A64_INIT ^ (uint64_t)rule, host, hlen);
}

/* Doubles the bucket array; on ENOMEM the table just stays denser. Called with the lock held. */
static void grow(struct emu_faults *fs)
{
    size_t nb = fs->nbuckets * 2;
    struct emu_pair **b = calloc(nb, sizeof *b);
    if (b == NULL)
        return;
    for (size_t i = 0; i < fs->nbuckets; i++) {
        struct emu_pair *p = fs->buckets[i];
        while (p != NULL) {
            struct emu_pair *next = p->next;
            size_t k = hash_pair(p->rule, p->host, p->hlen) & (nb - 1);
            p->next = b[k];
            b[k] = p;
            p = next;
        }
    }
    free(fs->buckets);
    fs->buckets = b;
    fs->nbuckets = nb;
}

/* Returns the counter of (RULE, HOST), added at 0 if new; NULL on ENOMEM or when the table is
 * full. Called with the lock held. */
static struct emu_pair *find_pair(struct emu_faults *fs, size_t rule, const char *host)
{
    size_t hlen = strlen(host);
    size_t k = hash_pair(rule, host, hlen) & (fs->nbuckets - 1);
    for (struct emu_pair *p = fs->buckets[k]; p != NULL; p = p->next) {
        if (p->rule == rule && p->hlen == hlen && memcmp(p->host, host, hlen) == 0)
            return p;
    }
    if (fs->npairs >= EMU_FAULTS_MAX_PAIRS)
        return NULL;
    struct emu_pair *p = malloc(sizeof *p + hlen + 1);
    if (p == NULL)
        return NULL;
    p->rule = rule;
    p->used = 0;
    p->hlen = hlen;
    memcpy(p->host, host, hlen + 1);
    p->next = fs->buckets[k];
    fs->buckets[k] = p;
    if (++fs->npairs > fs->nbuckets)
        grow(fs);
    return p;
}

/* Consumes rule RULE's next step for HOST (bare, lowercase) into *STEP. Returns 1, or -1 when it
 * cannot be counted. */
static int take_step(struct emu_faults *fs, size_t rule, const char *host,
                     struct emu_fault_step *step)
{
    const struct emu_rule *r = &fs->rules[rule];
    if (r->repeat && r->nsteps == 1) {
        *step = r->steps[0]; /* "503*": nothing to count */
        return 1;
    }
    pthread_mutex_lock(&fs->lock);
    struct emu_pair *p = find_pair(fs, rule, host);
    if (p == NULL) {
        if (!fs->full_reported) {
            fs->full_reported = true;
            fprintf(stderr,
                    "stargate-emulator: cannot count fault steps for more than %u (rule, host) "
                    "pairs (or out of memory); such requests are dropped\n",
                    EMU_FAULTS_MAX_PAIRS);
        }
        pthread_mutex_unlock(&fs->lock);
        return -1;
    }
    if (p->used < r->nsteps)
        *step = r->steps[p->used++];
    else if (r->repeat)
        *step = r->steps[r->nsteps - 1];
    else
        *step = (struct emu_fault_step){.action = EMU_FAULT_OK};
    pthread_mutex_unlock(&fs->lock);
    return 1;
}

int emu_faults_match_host(struct emu_faults *fs, const char *host, struct emu_fault_step *step)
{
    if (fs == NULL)
        return 0;
    char *bare = bare_host(host);
    int rc = 0;
    if (bare == NULL)
        return -1;
    for (size_t i = 0; i < fs->nrules; i++) {
        if (fs->rules[i].by_host && fnmatch(fs->rules[i].pattern, bare, FNM_CASEFOLD) == 0) {
            rc = take_step(fs, i, bare, step);
            break;
        }
    }
    free(bare);
    return rc;
}

int emu_faults_match_user(struct emu_faults *fs, const char *host, const char *user, size_t ulen,
                          struct emu_fault_step *step)
{
    if (fs == NULL || !fs->has_user_rules)
        return 0;
    for (size_t i = 0; i < fs->nrules; i++) {
        const struct emu_rule *r = &fs->rules[i];
        if (r->by_host || r->pattern_len != ulen || memcmp(r->pattern, user, ulen) != 0)
            continue;
        char *bare = bare_host(host);
        if (bare == NULL)
            return -1;
        int rc = take_step(fs, i, bare, step);
        free(bare);
        return rc;
    }
    return 0;
}
