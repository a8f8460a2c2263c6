/* test_text.c: the text helpers that stand between outside text and what tokenfleet prints or
 * keeps (core/text.h). Tables for text_redact (every occurrence masked, adjacent and overlapping
 * ones, at the start and the end, NULL or empty secret gives a new copy; the secret is never left
 * in the output), text_replace_controls (C0, DEL, C1 as two '?'; the length kept; everything else
 * untouched) and utf8_valid_prefix (whole characters only: truncated sequences, overlongs,
 * surrogates and code points past U+10FFFF end the prefix). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/text.h"
#include "core/base/utf8.h"

#define MASK "********"

/* Copies the n bytes of s into buf with bytes outside printable ASCII as \xNN, for messages. */
static const char *show(char *buf, size_t cap, const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && w + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f)
            w += (size_t)snprintf(buf + w, cap - w, "\\x%02x", c);
        else
            buf[w++] = (char)c;
    }
    buf[w] = '\0';
    return buf;
}

/* ---- text_redact ---- */

struct redact_case {
    const char *s;
    const char *secret;
    const char *expect;
};

static const struct redact_case redact_cases[] = {
    /* nothing to mask */
    {"no secret here", "hunter2", "no secret here"},
    {"", "hunter2", ""},
    {"hunter", "hunter2", "hunter"},               /* a prefix of the secret is not the secret */
    {"hunter hunter2", "hunter2", "hunter " MASK}, /* ... and does not hide the one after it */
    {"Hunter2", "hunter2", "Hunter2"},             /* case matters */
    /* one occurrence: the whole text, at the start, at the end, in the middle */
    {"hunter2", "hunter2", MASK},
    {"hunter2 was refused", "hunter2", MASK " was refused"},
    {"password=hunter2", "hunter2", "password=" MASK},
    {"{\"password\":\"hunter2\"}", "hunter2", "{\"password\":\"" MASK "\"}"},
    /* every occurrence, however many */
    {"hunter2 and hunter2 and hunter2", "hunter2", MASK " and " MASK " and " MASK},
    {"banana", "a", "b" MASK "n" MASK "n" MASK},
    /* adjacent occurrences: each masked, nothing of either left */
    {"hunter2hunter2", "hunter2", MASK MASK},
    {"x:hunter2hunter2hunter2:y", "hunter2", "x:" MASK MASK MASK ":y"},
    /* overlapping occurrences: masked from the left, as str.replace and sed s///g do */
    {"aaa", "aa", MASK "a"},
    {"aaaa", "aa", MASK MASK},
    {"xaaaaay", "aa", "x" MASK MASK "ay"},
    {"ababab", "abab", MASK "ab"},
    /* a secret longer than the mask, shorter, and one of multi-byte characters */
    {"t=AstraCS:QWxhZGRpbjpvcGVuIHNlc2FtZQ==:9f2c;", "AstraCS:QWxhZGRpbjpvcGVuIHNlc2FtZQ==:9f2c",
     "t=" MASK ";"},
    {"p\xc3\xa2t\xc3\xa9 ou p\xc3\xa2te", "p\xc3\xa2t\xc3\xa9", MASK " ou p\xc3\xa2te"},
    /* characters special elsewhere are plain here */
    {"a%sb%n", "%s", "a" MASK "b%n"},
    {"a.*b", ".*", "a" MASK "b"},
    /* a secret of stars: masked like any other (the output holds stars, of course) */
    {"x**y", "**", "x" MASK "y"},
};

static void test_redact(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof redact_cases / sizeof redact_cases[0]; i++) {
        const struct redact_case *c = &redact_cases[i];
        char *got = text_redact(c->s, c->secret);
        assert_non_null(got);
        if (strcmp(got, c->expect))
            fail_msg("case %zu: redacting \"%s\" from \"%s\" gave \"%s\", expected \"%s\"", i,
                     c->secret, c->s, got, c->expect);
        /* The property that matters, whatever the layout: the secret is gone. (A secret made of
         * the mask's own character is the one case where the mask itself contains it.) */
        if (!strchr(c->secret, '*') && strstr(got, c->secret))
            fail_msg("case %zu: \"%s\" still holds \"%s\"", i, got, c->secret);
        free(got);
    }
}

/* NULL or an empty secret: a copy of s, a new string the caller frees. */
static void test_redact_nothing_to_mask(void **state)
{
    (void)state;
    const char *texts[] = {"", "password=hunter2", "*"};
    const char *secrets[] = {NULL, ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        for (size_t j = 0; j < 2; j++) {
            char *got = text_redact(texts[i], secrets[j]);
            assert_non_null(got);
            assert_ptr_not_equal(got, texts[i]);
            assert_string_equal(got, texts[i]);
            free(got);
        }
}

/* Many occurrences in a long text: the output is exactly as long as expected (no byte written
 * past it, which ASan and valgrind would see) and holds no part of any occurrence. */
static void test_redact_many(void **state)
{
    (void)state;
    enum { REPEAT = 1000 };
    const char *secret = "s3cr3t-t0k3n";
    size_t sl = strlen(secret);
    char *s = malloc(REPEAT * (sl + 2) + 1);
    char *want = malloc(REPEAT * (8 + 2) + 1);
    assert_non_null(s);
    assert_non_null(want);
    char *w = s, *x = want;
    for (size_t i = 0; i < REPEAT; i++) {
        /* alternately adjacent to the one before and separated from it */
        w += sprintf(w, "%s%s", i % 2 ? "" : ", ", secret);
        x += sprintf(x, "%s%s", i % 2 ? "" : ", ", MASK);
    }
    char *got = text_redact(s, secret);
    assert_non_null(got);
    assert_int_equal(strlen(got), strlen(want));
    assert_string_equal(got, want);
    assert_null(strstr(got, "s3cr"));
    free(got);
    free(s);
    free(want);
}

/* ---- text_replace_controls ---- */

struct controls_case {
    const char *in;
    const char *expect;
};

static const struct controls_case controls_cases[] = {
    {"", ""},
    {"plain text, 100% ASCII ~!", "plain text, 100% ASCII ~!"},
    /* C0, every one of them, and DEL */
    {"a\tb\nc\rd", "a?b?c?d"},
    {"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", "???????????????"},
    {"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f", "????????????????"},
    {"\x7f", "?"},
    {"\x1b[31mred\x1b[0m", "?[31mred?[0m"},
    {" ~", " ~"}, /* the printable edges stay */
    /* C1, U+0080-U+009F, as two '?' */
    {"\xc2\x80", "??"},
    {"\xc2\x85", "??"},
    {"\xc2\x9b"
     "2J",
     "??2J"}, /* CSI, which a terminal obeys as ESC [ */
    {"\xc2\x9f", "??"},
    {"a\xc2\x9d"
     "b\xc2\x90"
     "c",
     "a??b??c"},
    {"\xc2\x85\n\xc2\x85", "?????"},
    /* just past the C1 range, and other characters with the same bytes in them, stay */
    {"\xc2\xa0", "\xc2\xa0"}, /* NO-BREAK SPACE */
    {"\xc2\xbf", "\xc2\xbf"}, /* INVERTED QUESTION MARK */
    {"\xc3\x80", "\xc3\x80"}, /* A WITH GRAVE: 0x80, but not after 0xc2 */
    {"caf\xc3\xa9", "caf\xc3\xa9"},
    {"\xe2\x82\xac", "\xe2\x82\xac"}, /* EURO SIGN */
    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
    /* a lead byte cut off by the end of the string is left as it is */
    {"a\xc2", "a\xc2"},
};

static void test_replace_controls(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof controls_cases / sizeof controls_cases[0]; i++) {
        const struct controls_case *c = &controls_cases[i];
        char *s = strdup(c->in);
        assert_non_null(s);
        text_replace_controls(s);
        char a[128], b[128], d[128];
        if (strlen(s) != strlen(c->in) || strcmp(s, c->expect))
            fail_msg("case %zu: \"%s\" became \"%s\", expected \"%s\"", i,
                     show(a, sizeof a, c->in, strlen(c->in)), show(b, sizeof b, s, strlen(s)),
                     show(d, sizeof d, c->expect, strlen(c->expect)));
        free(s);
    }
}

/* Every byte value alone, and after 0xc2: no control is left, the length is kept, and any byte
 * that is not a control stays as it was. */
static void test_replace_controls_every_byte(void **state)
{
    (void)state;
    for (unsigned b = 1; b < 256; b++) {
        char one[2] = {(char)b, '\0'};
        text_replace_controls(one);
        int control = b < 0x20 || b == 0x7f;
        assert_int_equal((unsigned char)one[0], control ? '?' : b);
        assert_int_equal(one[1], '\0');

        char two[3] = {(char)0xc2, (char)b, '\0'};
        text_replace_controls(two);
        if (b >= 0x80 && b <= 0x9f)
            assert_string_equal(two, "??");
        else {
            assert_int_equal((unsigned char)two[0], 0xc2);
            assert_int_equal((unsigned char)two[1], control ? '?' : b);
        }
        assert_int_equal(two[2], '\0');
    }
}

/* ---- utf8_valid_prefix ---- */

struct utf8_case {
    const char *s;
    size_t len; /* bytes of s given; may stop inside s or include NULs */
    size_t expect;
};

/* The length of a string literal, NULs inside it included. */
#define L(lit) lit, sizeof(lit) - 1

static const struct utf8_case utf8_cases[] = {
    {L(""), 0},
    {L("plain ASCII"), 11},
    {L("a\0b"), 3}, /* U+0000 is a character like any other */
    /* whole characters of each length, and the edges of each length's range */
    {L("caf\xc3\xa9"), 5},
    {L("\xc2\x80"), 2},         /* U+0080 */
    {L("\xdf\xbf"), 2},         /* U+07FF */
    {L("\xe0\xa0\x80"), 3},     /* U+0800 */
    {L("\xe2\x82\xac"), 3},     /* U+20AC */
    {L("\xed\x9f\xbf"), 3},     /* U+D7FF, just below the surrogates */
    {L("\xee\x80\x80"), 3},     /* U+E000, just above them */
    {L("\xef\xbf\xbf"), 3},     /* U+FFFF */
    {L("\xf0\x90\x80\x80"), 4}, /* U+10000 */
    {L("\xf0\x9f\x98\x80"), 4}, /* U+1F600 */
    {L("\xf4\x8f\xbf\xbf"), 4}, /* U+10FFFF, the last code point */
    {L("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"), 11},
    /* truncated sequences: the prefix ends before the cut character */
    {L("caf\xc3"), 3},
    {L("\xe2\x82"), 0},
    {L("a\xe2"), 1},
    {L("ab\xf0\x9f\x98"), 2},
    {L("\xf0\x9f"), 0},
    {L("\xf0"), 0},
    {"\xc3\xa9", 1, 0}, /* len cuts the character, not the string */
    {"\xe2\x82\xac", 2, 0},
    {"\xf0\x9f\x98\x80", 3, 0},
    {"ab\xf0\x9f\x98\x80", 5, 2},
    {"abc", 2, 2},
    {"\xc3\xa9\xc3\xa9", 3, 2},
    /* a lead byte followed by something that is not a continuation */
    {L("\xc3\x28"), 0},
    {L("x\xc3 "), 1},
    {L("\xe2\x28\xa1"), 0},
    {L("\xe2\x82\x28"), 0},
    {L("\xf0\x9f\x98\x28"), 0},
    {L("\xf0\x28\x98\x80"), 0},
    {L("\xe2\x82\xe2\x82\xac"), 0},
    /* continuation bytes with no lead */
    {L("\x80"), 0},
    {L("\xbf"), 0},
    {L("ok\x80ok"), 2},
    /* overlong forms: a code point in more bytes than it needs */
    {L("\xc0\xaf"), 0},         /* '/' in two bytes */
    {L("\xc0\x80"), 0},         /* NUL in two bytes (modified UTF-8) */
    {L("\xc1\xbf"), 0},         /* U+007F in two bytes */
    {L("\xe0\x80\xaf"), 0},     /* '/' in three */
    {L("\xe0\x9f\xbf"), 0},     /* U+07FF in three */
    {L("\xf0\x80\x80\xaf"), 0}, /* '/' in four */
    {L("\xf0\x8f\xbf\xbf"), 0}, /* U+FFFF in four */
    {L("ab\xe0\x80\x80"), 2},
    /* UTF-16 surrogates, alone or paired (CESU-8) */
    {L("\xed\xa0\x80"), 0}, /* U+D800 */
    {L("\xed\xaf\xbf"), 0}, /* U+DBFF */
    {L("\xed\xb0\x80"), 0}, /* U+DC00 */
    {L("\xed\xbf\xbf"), 0}, /* U+DFFF */
    {L("\xed\xa0\xbd\xed\xb8\x80"), 0},
    {L("a\xed\xa0\x80"), 1},
    /* past U+10FFFF */
    {L("\xf4\x90\x80\x80"), 0}, /* U+110000 */
    {L("\xf4\xbf\xbf\xbf"), 0}, /* U+13FFFF */
    {L("\xf5\x80\x80\x80"), 0},
    {L("\xf7\xbf\xbf\xbf"), 0},     /* U+1FFFFF */
    {L("\xf8\x88\x80\x80\x80"), 0}, /* five-byte form */
    {L("\xfc\x84\x80\x80\x80\x80"), 0},
    {L("\xfe"), 0},
    {L("\xff"), 0},
    {L("ok\xf4\x90\x80\x80"), 2},
};

static void test_utf8_valid_prefix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        const struct utf8_case *c = &utf8_cases[i];
        /* A copy of exactly len bytes on the heap, so that a read past len is seen by ASan. */
        char *s = malloc(c->len ? c->len : 1);
        assert_non_null(s);
        memcpy(s, c->s, c->len);
        size_t got = utf8_valid_prefix(s, c->len);
        char shown[128];
        if (got != c->expect)
            fail_msg("case %zu: \"%s\" (%zu bytes): prefix %zu, expected %zu", i,
                     show(shown, sizeof shown, c->s, c->len), c->len, got, c->expect);
        free(s);
    }
}

/* Every code point encoded by the book, and every two-byte sequence: valid exactly when it is
 * the encoding of a scalar value. */
static void test_utf8_every_code_point(void **state)
{
    (void)state;
    for (unsigned long cp = 0; cp <= 0x10ffff; cp++) {
        unsigned char b[4];
        size_t n;
        if (cp < 0x80) {
            b[0] = (unsigned char)cp, n = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xc0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xe0 | cp >> 12);
            b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            b[0] = (unsigned char)(0xf0 | cp >> 18);
            b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[3] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 4;
        }
        size_t want = cp >= 0xd800 && cp <= 0xdfff ? 0 : n;
        size_t got = utf8_valid_prefix((const char *)b, n);
        if (got != want)
            fail_msg("U+%04lX: prefix %zu of %zu, expected %zu", cp, got, n, want);
        /* one byte short is never whole */
        if (n > 1 && utf8_valid_prefix((const char *)b, n - 1) != 0)
            fail_msg("U+%04lX cut to %zu bytes counted as valid", cp, n - 1);
    }
    for (unsigned x = 0; x < 256; x++)
        for (unsigned y = 0; y < 256; y++) {
            unsigned char b[2] = {(unsigned char)x, (unsigned char)y};
            size_t want;
            if (x < 0x80)
                want = y < 0x80 ? 2 : 1;
            else if (x >= 0xc2 && x <= 0xdf && y >= 0x80 && y <= 0xbf)
                want = 2;
            else
                want = 0;
            size_t got = utf8_valid_prefix((const char *)b, 2);
            if (got != want)
                fail_msg("\\x%02x\\x%02x: prefix %zu, expected %zu", x, y, got, want);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_redact_nothing_to_mask),
        cmocka_unit_test(test_redact_many),
        cmocka_unit_test(test_replace_controls),
        cmocka_unit_test(test_replace_controls_every_byte),
        cmocka_unit_test(test_utf8_valid_prefix),
        cmocka_unit_test(test_utf8_every_code_point),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
