/* test_app_token.c: the application token's shape (core/app_token.h): what an inventory, a token
 * file and discover's org token are held to. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/app_token.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_valid_shapes(void **state)
{
    (void)state;
    const char *good[] = {
        "AstraCS:ZiWfNzYJtUGszRuGyyTjFIXU:" HEX64, /* as Astra issues them: 24 letters */
        "AstraCS:a:" HEX64,
        "AstraCS:A1b2C3:" HEX64,
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(app_token_is_valid(good[i]));
    char longest[256] = "AstraCS:";
    memset(longest + 8, 'x', 128);
    strcpy(longest + 8 + 128, ":" HEX64);
    assert_true(app_token_is_valid(longest));
    longest[8 + 128] = 'x'; /* 129 letters */
    strcpy(longest + 8 + 129, ":" HEX64);
    assert_false(app_token_is_valid(longest));
}

static void test_invalid_shapes(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "AstraCS:",
        "AstraCS::" HEX64,        /* no client id */
        "astracs:abc:" HEX64,     /* the prefix's case */
        "AstraCS:abc" HEX64,      /* no second colon */
        "AstraCS:abc:" HEX64 "0", /* 65 digits */
        "AstraCS:abc:"
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", /* 63 */
        "AstraCS:abc:"
        "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", /* upper */
        "AstraCS:ab-c:" HEX64,     /* not a letter or digit */
        " AstraCS:abc:" HEX64,     /* blank before */
        "AstraCS:abc:" HEX64 "\n", /* newline after */
        "AstraCS:abc:" HEX64 " ",
        "9f1d2c9e-0b1e-4a5c-8f1e-2b3c4d5e6f70", /* a Stargate auth token */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(app_token_is_valid(bad[i]));
    assert_false(app_token_is_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_shapes),
        cmocka_unit_test(test_invalid_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
