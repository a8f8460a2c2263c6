/* test_proxy.c: which proxy a request goes through (core/proxy.h). Tables for the choice among
 * --proxy and the variables curl reads (the scheme's own variable first, lower case before upper,
 * http_proxy only in lower case, all_proxy as the fallback, a set but empty variable meaning no
 * proxy without falling back, --proxy "" and --noproxy "" overriding the environment), for curl's
 * NO_PROXY matching (domains and their subdomains, a leading or trailing dot, case, "*" alone,
 * IPv4 and IPv6 addresses and ranges, blanks and commas), for proxy_check (what libcurl takes as a
 * proxy), and for the masking of a proxy's credentials (proxy_display, proxy_secrets,
 * proxy_hide_userinfo): the password is never left in what is printed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proxy.h"
#include "core/base/text.h"

/* ---- proxy_config_init and proxy_for_url ---- */

/* The environment of a case: "NAME=value" entries, NULL-terminated. */
static const char *const *fake_env;

static const char *lookup(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = fake_env; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

struct choice_case {
    const char *env[6];  /* the environment */
    const char *proxy;   /* --proxy, NULL when not given */
    const char *noproxy; /* --noproxy, NULL when not given */
    const char *url;
    const char *want;      /* the proxy, NULL for none */
    const char *want_from; /* where it came from */
};

static const struct choice_case choice_cases[] = {
    /* Nothing set: no proxy. */
    {{NULL}, NULL, NULL, "https://h.example.com/v1/auth", NULL, NULL},
    /* https: the lower-case variable first, then the upper-case one. */
    {{"HTTPS_PROXY=http://upper:1", NULL},
     NULL,
     NULL,
     "https://h/",
     "http://upper:1",
     "HTTPS_PROXY"},
    {{"https_proxy=http://lower:1", "HTTPS_PROXY=http://upper:1", NULL},
     NULL,
     NULL,
     "https://h/",
     "http://lower:1",
     "https_proxy"},
    /* A scheme's variable does not serve the other scheme. */
    {{"HTTPS_PROXY=http://p:1", NULL}, NULL, NULL, "http://h:8081/v1/auth", NULL, NULL},
    {{"http_proxy=http://p:1", NULL}, NULL, NULL, "https://h/", NULL, NULL},
    {{"http_proxy=http://p:1", NULL}, NULL, NULL, "http://h/", "http://p:1", "http_proxy"},
    /* HTTP_PROXY is never read (httpoxy): all_proxy serves instead. */
    {{"HTTP_PROXY=http://no:1", NULL}, NULL, NULL, "http://h/", NULL, NULL},
    {{"HTTP_PROXY=http://no:1", "ALL_PROXY=http://all:1", NULL},
     NULL,
     NULL,
     "http://h/",
     "http://all:1",
     "ALL_PROXY"},
    /* all_proxy, lower case first, when the scheme has none. */
    {{"all_proxy=http://a:1", "ALL_PROXY=http://b:1", NULL},
     NULL,
     NULL,
     "HTTPS://H/",
     "http://a:1",
     "all_proxy"},
    /* Set but empty: no proxy, and no falling back. */
    {{"https_proxy=", "HTTPS_PROXY=http://upper:1", "ALL_PROXY=http://all:1", NULL},
     NULL,
     NULL,
     "https://h/",
     NULL,
     NULL},
    /* --proxy wins over the environment, for both schemes. */
    {{"HTTPS_PROXY=http://env:1", NULL},
     "http://opt:2",
     NULL,
     "https://h/",
     "http://opt:2",
     "--proxy"},
    {{NULL}, "http://opt:2", NULL, "http://h/", "http://opt:2", "--proxy"},
    /* --proxy "": no proxy whatever the environment says. */
    {{"HTTPS_PROXY=http://env:1", "ALL_PROXY=http://all:1", NULL},
     "",
     NULL,
     "https://h/",
     NULL,
     NULL},
    /* NO_PROXY applies to --proxy too, as in curl; --noproxy replaces it, "" empties it. */
    {{"NO_PROXY=.example.com", NULL}, "http://opt:2", NULL, "https://db.example.com/", NULL, NULL},
    {{"no_proxy=other.org", "NO_PROXY=.example.com", NULL},
     "http://opt:2",
     NULL,
     "https://db.example.com/",
     "http://opt:2",
     "--proxy"},
    {{"NO_PROXY=.example.com", NULL},
     "http://opt:2",
     "",
     "https://db.example.com/",
     "http://opt:2",
     "--proxy"},
    {{"HTTPS_PROXY=http://env:1", NULL}, NULL, "*", "https://db.example.com/", NULL, NULL},
    {{"HTTPS_PROXY=http://env:1", NULL},
     NULL,
     "other.org",
     "https://db.example.com/",
     "http://env:1",
     "HTTPS_PROXY"},
    /* The host is matched without its port or userinfo; IPv6 in brackets. */
    {{NULL}, "p:1", "example.com", "https://u:x@db.example.com:8443/a", NULL, NULL},
    {{NULL}, "p:1", "::1", "http://[::1]:8081/v1/auth", NULL, NULL},
    {{NULL}, "p:1", "10.0.0.0/8", "http://10.1.2.3:8081/v1/auth", NULL, NULL},
    {{NULL}, "p:1", "10.0.0.0/8", "http://11.1.2.3:8081/v1/auth", "p:1", "--proxy"},
    /* A scheme neither http nor https has no proxy. */
    {{"ALL_PROXY=http://all:1", NULL}, NULL, NULL, "ftp://h/", NULL, NULL},
};

static void test_choice(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof choice_cases / sizeof choice_cases[0]; i++) {
        const struct choice_case *c = &choice_cases[i];
        fake_env = c->env;
        struct proxy_config cfg;
        proxy_config_init(&cfg, c->proxy, c->noproxy, lookup);
        const char *from = "unset";
        const char *got = proxy_for_url(&cfg, c->url, &from);
        if ((got == NULL) != (c->want == NULL) || (got && strcmp(got, c->want) != 0))
            fail_msg("case %zu (%s): proxy %s, expected %s", i, c->url, got ? got : "(none)",
                     c->want ? c->want : "(none)");
        if ((from == NULL) != (c->want_from == NULL) || (from && strcmp(from, c->want_from) != 0))
            fail_msg("case %zu (%s): from %s, expected %s", i, c->url, from ? from : "(none)",
                     c->want_from ? c->want_from : "(none)");
    }
}

/* ---- proxy_noproxy_matches ---- */

struct match_case {
    const char *list, *host;
    int want;
};

static const struct match_case match_cases[] = {
    {NULL, "example.com", 0},
    {"", "example.com", 0},
    {"*", "anything.example", 1},
    {"*", "10.0.0.1", 1},
    {"*,other", "example.com", 0}, /* "*" counts only alone, as in curl */
    {"example.com", "example.com", 1},
    {"example.com", "www.example.com", 1},
    {"example.com", "a.b.example.com", 1},
    {".example.com", "www.example.com", 1},
    {".example.com", "example.com", 1},
    {"example.com.", "www.example.com", 1},
    {"example.com", "www.example.com.", 1},
    {"example.com", "notexample.com", 0},
    {"example.com", "example.com.evil.org", 0},
    {"www.example.com", "example.com", 0},
    {"EXAMPLE.com", "Db.Example.COM", 1},
    {"apps.astra.datastax.com",
     "b5285f63-8da5-4c6e-afd8-ade371a48795-us-east1.apps.astra.datastax.com", 1},
    {"a.org,example.com", "www.example.com", 1},
    {"a.org , example.com", "www.example.com", 1},
    {" a.org,,\texample.com ", "www.example.com", 1},
    {"a.org example.com", "www.example.com", 0}, /* blanks do not separate, as in curl */
    {"a.org,", "example.com", 0},
    {".", "example.com", 0},
    {"10.1.2.3", "10.1.2.3", 1},
    {"10.1.2.3", "10.1.2.4", 0},
    {"10.0.0.0/8", "10.255.0.1", 1},
    {"10.0.0.0/8", "11.0.0.1", 0},
    {"192.168.1.0/25", "192.168.1.127", 1},
    {"192.168.1.0/25", "192.168.1.128", 0},
    {"10.0.0.0/33", "10.0.0.0", 0},
    {"10.0.0.0/x", "10.0.0.0", 0},
    {"10.1.2.3", "10.1.2.3.example.com", 0},
    {"example.com", "10.1.2.3", 0},
    {"::1", "::1", 1},
    {"::1", "[::1]", 1},
    {"fd00::/8", "[fd12:3456::1]", 1},
    {"fd00::/8", "fe80::1", 0},
    {"fd00::/12", "fd0f::1", 1},
    {"fd00::/12", "fd10::1", 0},
    {"10.0.0.1", "[::ffff:10.0.0.1]", 0},
    {"example.com", "[::1", 0},
};

static void test_noproxy(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
        const struct match_case *c = &match_cases[i];
        if (proxy_noproxy_matches(c->list, c->host) != (c->want != 0))
            fail_msg("case %zu: \"%s\" %s \"%s\"", i, c->host,
                     c->want ? "should match" : "should not match", c->list ? c->list : "(null)");
    }
}

/* ---- proxy_check ---- */

static void test_check(void **state)
{
    (void)state;
    const char *good[] = {"proxy:3128",
                          "http://proxy:3128",
                          "http://proxy.corp.example.com:3128/",
                          "HTTP://PROXY:3128",
                          "https://proxy:443",
                          "socks5h://127.0.0.1:1080",
                          "socks4://p",
                          "socks4a://p:1",
                          "socks5://p:1",
                          "http://user:pa%40ss@proxy:3128",
                          "user:pass@proxy:3128",
                          "http://[::1]:3128",
                          "10.0.0.1",
                          NULL};
    for (const char **g = good; *g; g++)
        if (proxy_check(*g))
            fail_msg("\"%s\" refused: %s", *g, proxy_check(*g));
    const char *bad[] = {"ftp://proxy:21",         "http://",
                         "http://proxy:3128/path", "http://proxy:3128/?q=1",
                         "http://proxy:3128#x",    "http://proxy:99999",
                         "http://proxy:port",      "http://[::1:3128",
                         "http://pro xy:3128",     NULL};
    for (const char **b = bad; *b; b++)
        if (!proxy_check(*b))
            fail_msg("\"%s\" accepted", *b);
}

/* ---- masking ---- */

struct mask_case {
    const char *proxy, *shown;
    const char *secrets[PROXY_MAX_SECRETS + 1]; /* NULL-terminated */
};

static const struct mask_case mask_cases[] = {
    {"http://proxy:3128", "http://proxy:3128", {NULL}},
    {"proxy:3128", "proxy:3128", {NULL}},
    {"http://user:S3cret@proxy:3128",
     "http://********@proxy:3128",
     {"user:S3cret", "S3cret", NULL}},
    {"user:S3cret@proxy:3128", "********@proxy:3128", {"user:S3cret", "S3cret", NULL}},
    {"http://token@proxy:3128", "http://********@proxy:3128", {"token", NULL}},
    /* Percent-encoded: the password as written and as libcurl sends it. */
    {"http://user:p%40ss%3Aw0rd@proxy:3128",
     "http://********@proxy:3128",
     {"user:p%40ss%3Aw0rd", "p%40ss%3Aw0rd", "p@ss:w0rd", NULL}},
    /* An '@' left unencoded: masked up to the last one. */
    {"http://user:p@ss@proxy:3128", "http://********@proxy:3128", {"user:p@ss", "p@ss", NULL}},
    /* "://" in the password is no scheme. */
    {"user:a://b@proxy:3128", "********@proxy:3128", {"user:a://b", "a://b", NULL}},
    {"socks5h://u:pw@[::1]:1080", "socks5h://********@[::1]:1080", {"u:pw", "pw", NULL}},
    {"http://user:@proxy:3128", "http://********@proxy:3128", {"user:", NULL}},
    {"http://p\n:Zq@proxy\x1b:1", "http://********@proxy?:1", {"p\n:Zq", "Zq", NULL}},
};

static void test_masking(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mask_cases / sizeof mask_cases[0]; i++) {
        const struct mask_case *c = &mask_cases[i];
        char *shown = proxy_display(c->proxy);
        assert_non_null(shown);
        if (strcmp(shown, c->shown) != 0)
            fail_msg("case %zu: shown as \"%s\", expected \"%s\"", i, shown, c->shown);
        char *secrets[PROXY_MAX_SECRETS];
        size_t n, want = 0;
        assert_int_equal(proxy_secrets(c->proxy, secrets, &n), 0);
        while (c->secrets[want])
            want++;
        if (n != want)
            fail_msg("case %zu: %zu secrets, expected %zu", i, n, want);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(secrets[k], c->secrets[k]) != 0)
                fail_msg("case %zu: secret %zu \"%s\", expected \"%s\"", i, k, secrets[k],
                         c->secrets[k]);
            /* Nothing to be masked is left in what is shown. */
            if (strstr(shown, secrets[k]))
                fail_msg("case %zu: \"%s\" shows \"%s\"", i, shown, secrets[k]);
            text_free_secret(secrets[k]);
        }
        char *argv_copy = strdup(c->proxy);
        assert_non_null(argv_copy);
        proxy_hide_userinfo(argv_copy);
        assert_int_equal(strlen(argv_copy), strlen(c->proxy));
        for (size_t k = 0; c->secrets[k]; k++)
            if (strstr(argv_copy, c->secrets[k]))
                fail_msg("case %zu: hidden as \"%s\", which still holds \"%s\"", i, argv_copy,
                         c->secrets[k]);
        free(argv_copy);
        free(shown);
    }
}

/* A libcurl message quoting the whole proxy URL is left without its password once every secret
 * is redacted from it (what the driver does with errors). */
static void test_redacting_a_message(void **state)
{
    (void)state;
    const char *proxy = "http://svc:Pr%2Fxy-S3cret@proxy.corp:3128";
    char *secrets[PROXY_MAX_SECRETS];
    size_t n;
    assert_int_equal(proxy_secrets(proxy, secrets, &n), 0);
    char *msg = text_printf("Unsupported proxy syntax in '%s'; sent Pr/xy-S3cret", proxy);
    for (size_t k = 0; k < n; k++) {
        char *next = text_redact(msg, secrets[k]);
        free(msg);
        msg = next;
        text_free_secret(secrets[k]);
    }
    assert_null(strstr(msg, "S3cret"));
    assert_non_null(strstr(msg, "proxy.corp:3128"));
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choice),
        cmocka_unit_test(test_noproxy),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_masking),
        cmocka_unit_test(test_redacting_a_message),
    };
    return cmocka_run_group_tests_name("proxy", tests, NULL, NULL);
}
