/* test_strpool.c: the inventory's string pool (config/strpool.h). Every string handed out must
 * keep its content while many more are added across chunk boundaries, big strings (own chunks)
 * among them; dupn stops at n or at a NUL. Run under ASan and valgrind by the test script, which
 * catches any write past a string or chunk and any chunk not freed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/strpool.h"

enum { N = 20000 };

static void test_strings_keep_their_content(void **state)
{
    (void)state;
    struct strpool *pool = strpool_new();
    assert_non_null(pool);
    static char *got[N];
    static char want[N][48];
    char *big = malloc(3 * STRPOOL_CHUNK_BYTES);
    assert_non_null(big);
    memset(big, 'b', 3 * STRPOOL_CHUNK_BYTES - 1);
    big[3 * STRPOOL_CHUNK_BYTES - 1] = '\0';
    char *bigs[4] = {0};
    for (size_t i = 0; i < N; i++) {
        /* lengths 0 to 40: about 400 KiB in all, several chunks */
        snprintf(want[i], sizeof want[i], "%.*s%zu", (int)(i % 35),
                 "abcdefghijklmnopqrstuvwxyz0123456789", i);
        got[i] = strpool_dup(pool, want[i]);
        assert_non_null(got[i]);
        if (i % 5000 == 17) /* larger than a quarter chunk: a chunk of its own */
            assert_non_null(bigs[i / 5000] =
                                strpool_dup(pool, big + STRPOOL_CHUNK_BYTES * (i / 5000 % 3)));
    }
    for (size_t i = 0; i < N; i++)
        assert_string_equal(got[i], want[i]);
    for (size_t k = 0; k < 4; k++)
        assert_string_equal(bigs[k], big + STRPOOL_CHUNK_BYTES * (k % 3));
    char *empty = strpool_dup(pool, "");
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(big);
    strpool_free(pool);
    strpool_free(NULL);
}

static void test_dupn(void **state)
{
    (void)state;
    struct strpool *pool = strpool_new();
    assert_non_null(pool);
    assert_string_equal(strpool_dupn(pool, "us-east1/orders", 8), "us-east1");
    assert_string_equal(strpool_dupn(pool, "short", 100), "short");
    const char with_nul[] = {'a', 'b', '\0', 'c', 'd'};
    assert_string_equal(strpool_dupn(pool, with_nul, sizeof with_nul), "ab");
    assert_string_equal(strpool_dupn(pool, "abc", 0), "");
    strpool_free(pool);
}

/* Structs share the pool with strings of odd lengths: each one must start aligned (UBSan
 * reports a misaligned access otherwise) and keep its content while strings follow it. */
struct pair {
    const char *value;
    long line;
};

static void test_aligned_structs_among_strings(void **state)
{
    (void)state;
    struct strpool *pool = strpool_new();
    assert_non_null(pool);
    static struct pair *got[N];
    for (size_t i = 0; i < N; i++) {
        assert_non_null(strpool_dupn(pool, "abcdefg", i % 7)); /* 1 to 7 bytes: odd offsets */
        got[i] = strpool_alloc_aligned(pool, sizeof **got);
        assert_non_null(got[i]);
        assert_int_equal((uintptr_t)got[i] % _Alignof(max_align_t), 0);
        *got[i] = (struct pair){"x", (long)i};
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(got[i]->line, (long)i);
    strpool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_keep_their_content),
        cmocka_unit_test(test_dupn),
        cmocka_unit_test(test_aligned_structs_among_strings),
    };
    return cmocka_run_group_tests_name("strpool", tests, NULL, NULL);
}
