/* test_request.c: what one auth request carries (core/request.h). request_body must give valid
 * JSON holding exactly the username and password, byte for byte, whatever they contain (quotes,
 * backslashes, Unicode, control characters): each body is parsed back with jansson.
 * request_new_id must give 36-character lowercase version-4 UUIDs (RFC 4122 variant), all
 * distinct over 10,000 draws. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/base/text.h"

static void check_body(const char *username, const char *password)
{
    char *body = request_body(username, password);
    assert_non_null(body);
    json_error_t err;
    json_t *root = json_loads(body, 0, &err);
    if (!root)
        fail_msg("not JSON (%s): %s", err.text, body);
    assert_true(json_is_object(root));
    assert_int_equal(json_object_size(root), 2);
    json_t *u = json_object_get(root, "username");
    json_t *p = json_object_get(root, "password");
    assert_true(json_is_string(u) && json_is_string(p));
    assert_int_equal(json_string_length(u), strlen(username));
    assert_memory_equal(json_string_value(u), username, strlen(username));
    assert_int_equal(json_string_length(p), strlen(password));
    assert_memory_equal(json_string_value(p), password, strlen(password));
    /* JSON allows no raw control characters: they must have been escaped */
    for (const char *c = body; *c; c++)
        assert_false((unsigned char)*c < 0x20);
    json_decref(root);
    text_free_secret(body);
}

static void test_body(void **state)
{
    (void)state;
    static const char *const rows[][2] = {
        {"orders_svc", "hunter2"},
        {"a\"b", "p\\q"},
        {"\"", "\\"},
        {"quote\"and\\back", "\\\"\\\""},
        {"caf\xc3\xa9", "\xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x99\x82"}, /* café / 漢字 🙂 */
        {"tab\tnl\ncr\r", "\x01\x02\x1b[31m\x1f\x7f"},
        {"</script>", "a/b"},
        {" ", "  "},
        {"u", "{\"username\":\"admin\"}"},
        {"u", "\\u0000"},
        {"AstraCS:client-id", "secret+/=,.@%_-"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_body(rows[i][0], rows[i][1]);
}

static void test_body_long_password(void **state)
{
    (void)state;
    static const char unit[] = "\"\\ab\x01\xc3\xa9 "; /* 8 bytes, é whole */
    enum { REPEAT = 1250 };
    char *pw = malloc(REPEAT * 8 + 1);
    assert_non_null(pw);
    for (size_t i = 0; i < REPEAT; i++)
        memcpy(pw + i * 8, unit, 8);
    pw[REPEAT * 8] = '\0';
    check_body("u", pw);
    free(pw);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_request_ids(void **state)
{
    (void)state;
    enum { N = 10000 };
    char(*ids)[REQUEST_ID_LEN + 1] = calloc(N, sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < N; i++) {
        unsigned char bin[16];
        request_new_id(bin, ids[i]);
        struct attempt a = {0};
        memcpy(a.request_id, bin, sizeof bin);
        char again[REQUEST_ID_LEN + 1];
        attempt_request_id(&a, again);
        assert_string_equal(again, ids[i]); /* the binary form kept in results is the same id */
        const char *id = ids[i];
        assert_int_equal(strlen(id), 36);
        for (size_t j = 0; j < 36; j++) {
            if (j == 8 || j == 13 || j == 18 || j == 23)
                assert_int_equal(id[j], '-');
            else if (!strchr("0123456789abcdef", id[j]))
                fail_msg("id %s: '%c' at %zu is not a lowercase hex digit", id, id[j], j);
        }
        if (id[14] != '4')
            fail_msg("id %s is not version 4", id);
        if (!strchr("89ab", id[19]))
            fail_msg("id %s does not have the RFC 4122 variant", id);
    }
    qsort(ids, N, sizeof *ids, by_string);
    for (size_t i = 1; i < N; i++)
        if (!strcmp(ids[i], ids[i - 1]))
            fail_msg("id %s drawn twice", ids[i]);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_body_long_password),
        cmocka_unit_test(test_request_ids),
    };
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
