/* test_inventory_name.c: the names discover gives databases (config/inventory_name.h): made from
 * Astra's names so that the inventory takes them, unique by a suffix, and the comment text that
 * quotes the original (config/inventory_write.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/inventory_name.h"
#include "config/inventory_rules.h"
#include "config/inventory_write.h"

static void test_names_made(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"orders", "orders"},
        {"Orders EU (prod)", "orders-eu-prod"},
        {"fleet_db-003", "fleet-db-003"}, /* as Orders-EU and orders_eu would share a prefix */
        {"orders_eu", "orders-eu"},
        {"  --Leading and trailing--  ", "leading-and-trailing"},
        {"__x__", "x"},
        {"a_-_b", "a-b"},
        {"a   b...c", "a-b-c"},
        {"2024 Q1", "2024-q1"},      /* a digit may start a name */
        {"Café Crème", "caf-cr-me"}, /* a multi-byte character is one '-' */
        {"日本語", "db"},            /* nothing left */
        {"", "db"},
        {"a\nb\tc", "a-b-c"},
        {"x--y", "x-y"}, /* runs made one, also those written */
        {"ORDERS", "orders"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = inventory_name_make(cases[i].in);
        assert_non_null(got);
        assert_string_equal(got, cases[i].out);
        assert_true(inventory_is_name(got));
        free(got);
    }
}

static void test_long_names_are_cut_and_stay_valid(void **state)
{
    (void)state;
    char in[200];
    memset(in, 'a', sizeof in - 1);
    in[sizeof in - 1] = '\0';
    in[INVENTORY_NAME_MAX - 1] = ' '; /* the cut would leave a '-' at the end */
    char *got = inventory_name_make(in);
    assert_int_equal(strlen(got), INVENTORY_NAME_MAX - 1);
    assert_true(inventory_is_name(got));
    free(got);
}

static void test_collisions_get_suffixes(void **state)
{
    (void)state;
    struct strset taken = {0};
    const char *bases[] = {"db", "db", "db-2", "db", "other", "db-2"};
    const char *want[] = {"db", "db-2", "db-2-2", "db-3", "other", "db-2-3"};
    char *got[6];
    for (size_t i = 0; i < 6; i++) {
        got[i] = inventory_name_unique(&taken, bases[i]);
        assert_non_null(got[i]);
        assert_string_equal(got[i], want[i]);
    }
    assert_int_equal(taken.count, 6);
    strset_clear(&taken);
    for (size_t i = 0; i < 6; i++)
        free(got[i]);
}

static void test_comment_text_has_no_line_break(void **state)
{
    (void)state;
    char *got = inventory_comment_text("a\nb\rc\x1b[0m\xc2\x85"
                                       "d\xe2\x80\xa8"
                                       "e\xe2\x80\xa9"
                                       "f\xef\xbb\xbfg\xff",
                                       100);
    assert_string_equal(got, "a?b?c?[0m??d???e???f???g?");
    free(got);
    got = inventory_comment_text("\xc3\xa9\xc3\xa9\xc3\xa9", 5); /* never inside a character */
    assert_string_equal(got, "\xc3\xa9\xc3\xa9...");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_made),
        cmocka_unit_test(test_long_names_are_cut_and_stay_valid),
        cmocka_unit_test(test_collisions_get_suffixes),
        cmocka_unit_test(test_comment_text_has_no_line_break),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
