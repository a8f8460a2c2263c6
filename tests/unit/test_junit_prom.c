/* test_junit_prom.c: the two escapers of text from outside that tokenfleet writes into
 * formats of others: junit_escape (core/junit.h), for XML text and attribute values, and
 * prom_escape (core/prom.h), for Prometheus label values. Tables of exact output bytes (written
 * to open_memstream): for XML, & < > " ' as entities, newline and tab as character references,
 * characters XML 1.0 cannot hold and bytes that are not UTF-8 as '?', every other character as it
 * is; for Prometheus, backslash, double quote and newline escaped, every other byte as it is.
 * Then properties over every byte and every code point, and the real parsers where they are
 * installed (xmllint reads every code point escaped into an attribute and an element; Python's
 * prometheus_client reads label values back unchanged). Last, a write error is reported. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/junit.h"
#include "core/prom.h"

struct esc_case {
    const char *in;
    const char *expect;
};

/* Copies s into buf with bytes outside printable ASCII as \xNN, for messages. */
static const char *show(char *buf, size_t cap, const char *s)
{
    size_t w = 0;
    for (; *s && w + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f)
            w += (size_t)snprintf(buf + w, cap - w, "\\x%02x", c);
        else
            buf[w++] = (char)c;
    }
    buf[w] = '\0';
    return buf;
}

/* Runs escape(f, in) into memory. Returns the bytes (caller frees); *len their count. */
static char *escaped(int (*escape)(FILE *, const char *), const char *in, size_t *len)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    assert_int_equal(escape(f, in), 0);
    assert_int_equal(fclose(f), 0);
    *len = size;
    return out;
}

static void check_table(const char *what, int (*escape)(FILE *, const char *),
                        const struct esc_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *got = escaped(escape, cases[i].in, &len);
        if (len != strlen(cases[i].expect) || memcmp(got, cases[i].expect, len)) {
            char a[256], b[256], c[256];
            fail_msg("%s case %zu: \"%s\" became \"%s\", expected \"%s\"", what, i,
                     show(a, sizeof a, cases[i].in), show(b, sizeof b, got),
                     show(c, sizeof c, cases[i].expect));
        }
        free(got);
    }
}

/* ---- junit_escape ---- */

static const struct esc_case xml_cases[] = {
    {"", ""},
    {"plain text 0-9 ~!#$%()*+,-./:;=?@[]^_`{|}", "plain text 0-9 ~!#$%()*+,-./:;=?@[]^_`{|}"},
    /* the five that XML gives meaning to */
    {"a & b", "a &amp; b"},
    {"<failure>", "&lt;failure&gt;"},
    {"say \"hi\"", "say &quot;hi&quot;"},
    {"it's", "it&apos;s"},
    {"&<>\"'", "&amp;&lt;&gt;&quot;&apos;"},
    {"&amp;", "&amp;amp;"}, /* an entity in the input is text, not markup */
    {"&#10;", "&amp;#10;"},
    {"]]>", "]]&gt;"},
    {"</testcase><testcase name=\"x\">", "&lt;/testcase&gt;&lt;testcase name=&quot;x&quot;&gt;"},
    /* newline and tab kept, as references (an attribute value would otherwise fold them) */
    {"line 1\nline 2", "line 1&#10;line 2"},
    {"a\tb", "a&#9;b"},
    /* the other C0 controls cannot be in XML 1.0 at all; DEL and C1 are replaced too */
    {"\x01", "?"},
    {"\x08\x0b\x0c\x1f", "????"},
    {"\x1b[31mred\x1b[0m", "?[31mred?[0m"},
    {"\x7f", "?"},
    {"\xc2\x80", "?"},
    {"a\xc2\x85z", "a?z"},
    {"\xc2\x9f", "?"},
    /* U+FFFE and U+FFFF are not characters for XML */
    {"\xef\xbf\xbe", "?"},
    {"\xef\xbf\xbf", "?"},
    {"x\xef\xbf\xbe\xef\xbf\xbfy", "x??y"},
    /* every other character as it is, of each length */
    {"caf\xc3\xa9", "caf\xc3\xa9"},
    {"\xc2\xa0", "\xc2\xa0"},         /* U+00A0, just past C1 */
    {"\xe2\x82\xac", "\xe2\x82\xac"}, /* U+20AC */
    {"\xef\xbf\xbd", "\xef\xbf\xbd"}, /* U+FFFD, just below U+FFFE */
    {"\xef\xbf\xbd<", "\xef\xbf\xbd&lt;"},
    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"}, /* U+1F600 */
    {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"}, /* U+10FFFF */
    /* not UTF-8: a '?' for each byte that does not start a whole character */
    {"\xff", "?"},
    {"\x80", "?"},
    {"a\xc3", "a?"},
    {"\xc3\x28", "?("},
    {"\xe2\x82", "??"},
    {"\xe2\x82<", "??&lt;"},
    {"\xc0\xaf", "??"},           /* overlong '/' */
    {"\xed\xa0\x80", "???"},      /* a surrogate */
    {"\xf4\x90\x80\x80", "????"}, /* past U+10FFFF */
    {"\xf8\x88\x80\x80\x80", "?????"},
    {"ok\xff\xc3\xa9&", "ok?\xc3\xa9&amp;"},
};

static void test_junit_table(void **state)
{
    (void)state;
    check_table("xml", junit_escape, xml_cases, sizeof xml_cases / sizeof xml_cases[0]);
}

/* True when out holds only what XML 1.0 can carry in text and attribute values: valid UTF-8,
 * no C0 control but through a reference, no U+FFFE/U+FFFF, and & < > " ' only as markup. */
static const char *xml_problem(const char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20)
            return "a raw control character";
        if (c == '<' || c == '>' || c == '"' || c == '\'')
            return "a raw < > \" or '";
        if (c == '&') {
            static const char *const ok[] = {"&amp;",  "&lt;",  "&gt;", "&quot;",
                                             "&apos;", "&#10;", "&#9;"};
            int known = 0;
            for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
                known |= !strncmp(out + i, ok[k], strlen(ok[k]));
            if (!known)
                return "a raw &";
        }
        if (c == 0xef && i + 2 < len && (unsigned char)out[i + 1] == 0xbf &&
            (unsigned char)out[i + 2] >= 0xbe)
            return "U+FFFE or U+FFFF";
    }
    return NULL;
}

/* Encodes cp as UTF-8 into b (without checking it). Returns the length. */
static size_t utf8(unsigned long cp, char *b)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    b[2] = (char)(0x80 | (cp >> 6 & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Every byte alone, and every code point: the output is something XML can carry, and a
 * character XML 1.0 allows (other than the five, tab and newline) comes out as it went in. */
static void test_junit_every_character(void **state)
{
    (void)state;
    char msg[64];
    for (unsigned b = 1; b < 256; b++) {
        char in[2] = {(char)b, '\0'};
        size_t len;
        char *out = escaped(junit_escape, in, &len);
        const char *problem = xml_problem(out, len);
        if (problem)
            fail_msg("byte %s became \"%s\": %s", show(msg, sizeof msg, in), out, problem);
        if (b >= 0x80 && strcmp(out, "?"))
            fail_msg("byte \\x%02x alone is not UTF-8, yet became \"%s\"", b, out);
        free(out);
    }
    for (unsigned long cp = 1; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        char in[5] = {0};
        utf8(cp, in);
        size_t len;
        char *out = escaped(junit_escape, in, &len);
        const char *problem = xml_problem(out, len);
        if (problem)
            fail_msg("U+%04lX became \"%s\": %s", cp, show(msg, sizeof msg, out), problem);
        int special = cp < 0x80 && strchr("&<>\"'\n\t", (int)cp) != NULL;
        int allowed = (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xfffd) || cp >= 0x10000;
        if (!special && allowed && strcmp(out, in))
            fail_msg("U+%04lX changed to \"%s\"", cp, show(msg, sizeof msg, out));
        if (!special && !allowed && strcmp(out, "?"))
            fail_msg("U+%04lX became \"%s\", expected '?'", cp, show(msg, sizeof msg, out));
        free(out);
    }
}

/* Escapes every code point, and some bytes that are not UTF-8, one at a time to f (junit_escape
 * is meant for short values: it checks the rest of its input at each character). */
static void escape_everything(FILE *f)
{
    for (unsigned long cp = 1; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        char in[5] = {0};
        utf8(cp, in);
        assert_int_equal(junit_escape(f, in), 0);
    }
    assert_int_equal(junit_escape(f, "\xff\xc0\xaf\xed\xa0\x80\xe2\x82"), 0);
}

/* xmllint, when installed, reads a document with every code point (and some bytes that are not
 * UTF-8) escaped into attributes in both quotes and into an element. */
static void test_junit_xmllint(void **state)
{
    (void)state;
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        skip();
    char path[] = "/tmp/tf-unit-xml-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<t a=\"", f);
    escape_everything(f);
    fputs("\" b='", f);
    escape_everything(f);
    fputs("'>", f);
    escape_everything(f);
    fputs("</t>\n", f);
    assert_int_equal(fclose(f), 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "xmllint --noout --huge %s", path);
    int rc = system(cmd);
    unlink(path);
    if (rc != 0)
        fail_msg("xmllint refused the escaped text (%d)", rc);
}

/* ---- prom_escape ---- */

static const struct esc_case prom_cases[] = {
    {"", ""},
    {"us-east1", "us-east1"},
    /* the three the text format escapes */
    {"a\\b", "a\\\\b"},
    {"\\", "\\\\"},
    {"\\n", "\\\\n"}, /* a backslash and an n are not a newline */
    {"say \"hi\"", "say \\\"hi\\\""},
    {"\"", "\\\""},
    {"a\nb", "a\\nb"},
    {"\n\n", "\\n\\n"},
    {"\\\"\n", "\\\\\\\"\\n"},
    {"C:\\tmp\\\"x\"\n", "C:\\\\tmp\\\\\\\"x\\\"\\n"},
    /* every other byte as it is */
    {"\t\r", "\t\r"},
    {"{a=\"b\",c=\"d\"} 1", "{a=\\\"b\\\",c=\\\"d\\\"} 1"},
    {"# HELP x", "# HELP x"},
    {"'single'", "'single'"},
    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
    {"\x01\x1b\x7f", "\x01\x1b\x7f"},
    {"\xff\xfe\xc3", "\xff\xfe\xc3"},
};

static void test_prom_table(void **state)
{
    (void)state;
    check_table("prom", prom_escape, prom_cases, sizeof prom_cases / sizeof prom_cases[0]);
}

static void test_prom_every_byte(void **state)
{
    (void)state;
    for (unsigned b = 1; b < 256; b++) {
        char in[2] = {(char)b, '\0'};
        size_t len;
        char *out = escaped(prom_escape, in, &len);
        const char *want = b == '\\' ? "\\\\" : b == '"' ? "\\\"" : b == '\n' ? "\\n" : in;
        if (len != strlen(want) || memcmp(out, want, len))
            fail_msg("byte \\x%02x became %zu bytes \"%s\"", b, len, out);
        free(out);
    }
}

/* Python's prometheus_client, when installed, reads every value of prom_cases (that is UTF-8) in
 * a label and gives it back unchanged. */
static void test_prom_parser(void **state)
{
    (void)state;
    /* Debian's python3 first: that is where python3-prometheus-client installs it. */
    const char *python = NULL;
    const char *pythons[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < 2 && !python; i++) {
        char probe[128];
        snprintf(probe, sizeof probe, "%s -c 'import prometheus_client.parser' >/dev/null 2>&1",
                 pythons[i]);
        if (system(probe) == 0)
            python = pythons[i];
    }
    if (!python)
        skip();
    char path[] = "/tmp/tf-unit-prom-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    size_t n = 0;
    for (size_t i = 0; i < sizeof prom_cases / sizeof prom_cases[0]; i++) {
        if (strchr(prom_cases[i].in, '\xff'))
            continue; /* not UTF-8: Python could not read the file */
        fprintf(f, "tokenfleet_target_up{case=\"%zu\",v=\"", i);
        assert_int_equal(prom_escape(f, prom_cases[i].in), 0);
        fputs("\"} 1\n", f);
        n++;
    }
    assert_int_equal(fclose(f), 0);
    /* Prints, per sample, the case number and the value read back, hex-encoded. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "%s -c 'import sys\n"
             "from prometheus_client.parser import text_string_to_metric_families as p\n"
             "for fam in p(open(sys.argv[1], encoding=\"utf-8\", newline=\"\").read()):\n"
             "    for s in fam.samples: print(s.labels[\"case\"], s.labels[\"v\"]"
             ".encode(\"utf-8\").hex())' %s",
             python, path);
    /* All of the output first, and the file removed, before anything is checked. */
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *text = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&text, &size);
    assert_non_null(m);
    char buf[1024];
    size_t got_bytes;
    while ((got_bytes = fread(buf, 1, sizeof buf, p)) > 0)
        assert_int_equal(fwrite(buf, 1, got_bytes, m), got_bytes);
    int rc = pclose(p);
    unlink(path);
    assert_int_equal(fclose(m), 0);
    if (rc != 0)
        fail_msg("prometheus_client could not read the file (%d)", rc);

    size_t seen = 0;
    for (char *save, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        size_t i;
        char hex[1000] = "";
        assert_true(sscanf(line, "%zu %999s", &i, hex) >= 1); /* no hex for "" */
        assert_true(i < sizeof prom_cases / sizeof prom_cases[0]);
        const char *want = prom_cases[i].in;
        char got[500];
        size_t len = strlen(hex) / 2;
        for (size_t k = 0; k < len; k++) {
            unsigned v;
            assert_int_equal(sscanf(hex + 2 * k, "%2x", &v), 1);
            got[k] = (char)v;
        }
        got[len] = '\0';
        if (strcmp(got, want)) {
            char a[256], b[256];
            fail_msg("case %zu: \"%s\" was read back as \"%s\"", i, show(a, sizeof a, want),
                     show(b, sizeof b, got));
        }
        seen++;
    }
    free(text);
    assert_int_equal(seen, n);
}

/* ---- write errors ---- */

static void test_write_errors(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    setvbuf(full, NULL, _IONBF, 0); /* every write reaches the device, and fails there */
    const char *xml_inputs[] = {"a", "&", "\n", "\x01", "\xc3\xa9", "\xff", "\xc2\x85"};
    for (size_t i = 0; i < sizeof xml_inputs / sizeof xml_inputs[0]; i++) {
        clearerr(full);
        if (junit_escape(full, xml_inputs[i]) != -1)
            fail_msg("junit_escape of input %zu: a write error was not reported", i);
    }
    const char *prom_inputs[] = {"a", "\\", "\"", "\n"};
    for (size_t i = 0; i < sizeof prom_inputs / sizeof prom_inputs[0]; i++) {
        clearerr(full);
        if (prom_escape(full, prom_inputs[i]) != -1)
            fail_msg("prom_escape of input %zu: a write error was not reported", i);
    }
    clearerr(full);
    assert_int_equal(junit_escape(full, ""), 0); /* nothing to write: nothing failed */
    assert_int_equal(prom_escape(full, ""), 0);
    fclose(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junit_table),     cmocka_unit_test(test_junit_every_character),
        cmocka_unit_test(test_junit_xmllint),   cmocka_unit_test(test_prom_table),
        cmocka_unit_test(test_prom_every_byte), cmocka_unit_test(test_prom_parser),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests_name("junit_prom", tests, NULL, NULL);
}
