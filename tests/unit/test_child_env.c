/* test_child_env.c: exec's command's environment (core/child_env.h) from a hand-built plan: the
 * variables unprefixed for one target and prefixed for several (seed and astra names, renames,
 * an application token's username), inherited entries kept in order, password sources of every
 * target (selected or not) left out unless asked to keep them, an inherited variable of a name
 * set here replaced, and values that are not portable refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/child_env.h"

#define ID1 "6513270e-269e-4d37-b2a7-4de452e6b438"
#define ID2 "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"
#define TK1 "2d728368-2e6d-4542-9997-a5a7ae70d635"
#define TK2 "AstraCS:token+two/="

static struct secret_ref pw_env = {.kind = SECRET_ENV, .source = "TF_UT_PW"};
static struct secret_ref pw_other = {.kind = SECRET_ENV, .source = "TF_UT_OTHER_PW"};
static struct secret_ref pw_file = {.kind = SECRET_FILE, .source = "TF_UT_FILE"};

static struct target_db orders = {.name = {.value = "orders"},
                                  .id = {ID1},
                                  .keyspace = {.value = "orders"},
                                  .username = {.value = "orders_svc"},
                                  .password = &pw_env};
static struct target_db billing = {.name = {.value = "billing"},
                                   .id = {ID2},
                                   .keyspace = {.value = "bills"},
                                   .username = {.value = "svc"},
                                   .password = &pw_file};
static struct target_db search = {.name = {.value = "search"},
                                  .id = {ID2},
                                  .keyspace = {.value = "app"},
                                  .username = {.value = "svc"},
                                  .password = &pw_other};
static struct field us = {.value = "us-east1"}, eu = {.value = "eu-west1"};

/* orders/us-east1, billing/eu-west1 and search/us-east1, of which the first count are chosen. */
static struct target_list plan(struct target items[3], size_t count)
{
    items[0] = (struct target){
        .name = "orders/us-east1", .db = &orders, .region = &us, .env_prefix = "ORDERS_US_EAST1"};
    items[1] = (struct target){.name = "billing/eu-west1",
                               .db = &billing,
                               .region = &eu,
                               .env_prefix = "BILLING_EU_WEST1"};
    items[2] = (struct target){
        .name = "search/us-east1", .db = &search, .region = &us, .env_prefix = "SEARCH_US_EAST1"};
    return (struct target_list){
        .items = items, .count = count, .total = 3, .env_names = env_names_seed};
}

static void assert_env(char **env, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        if (!env[i])
            fail_msg("entry %zu (%s) missing", i, want[i]);
        assert_string_equal(env[i], want[i]);
    }
    if (env[i])
        fail_msg("unexpected entry %zu: %s", i, env[i]);
}

static char *base[] = {
    "PATH=/usr/bin:/bin",     "TF_UT_PW=hunter2",  "HOME=/home/u",
    "TF_UT_OTHER_PW=hunter3", "TF_UT_PW_NOT=kept", "ASTRA_AUTHORIZATION_TOKEN=stale",
    "TF_UT_FILE=kept too",    "NOEQUALS",          NULL};

static void test_one_target_unprefixed_passwords_out(void **state)
{
    (void)state;
    struct target items[3];
    struct target_list tl = plan(items, 1);
    const char *tokens[] = {TK1};
    struct child_env_request req = {.base = base, .targets = &tl, .tokens = tokens};
    char **env;
    size_t bad_target = 99;
    enum env_var bad;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_OK);
    /* Both password sources go, the chosen target's and the other one's; the stale token is
     * replaced; a file source's path is no variable. */
    assert_env(env, (const char *[]){"PATH=/usr/bin:/bin", "HOME=/home/u", "TF_UT_PW_NOT=kept",
                                     "TF_UT_FILE=kept too", "NOEQUALS", "ASTRA_CLUSTER_ID=" ID1,
                                     "ASTRA_CLUSTER_REGION=us-east1",
                                     "ASTRA_DB_USERNAME=orders_svc", "ASTRA_DB_KEYSPACE=orders",
                                     "ASTRA_AUTHORIZATION_TOKEN=" TK1, NULL});
    child_env_free(env);

    req.keep_password_env = 1;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_OK);
    assert_string_equal(env[1], "TF_UT_PW=hunter2");
    assert_string_equal(env[3], "TF_UT_OTHER_PW=hunter3");
    child_env_free(env);
}

static void test_several_targets_prefixed(void **state)
{
    (void)state;
    struct target items[3];
    struct target_list tl = plan(items, 2);
    const char *tokens[] = {TK1, TK2};
    char *small[] = {"A=1", "ASTRA_AUTHORIZATION_TOKEN=kept: not a name set here",
                     "ORDERS_US_EAST1_ASTRA_DB_KEYSPACE=stale", NULL};
    struct child_env_request req = {.base = small, .targets = &tl, .tokens = tokens};
    char **env;
    size_t bad_target;
    enum env_var bad;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_OK);
    assert_env(env, (const char *[]){"A=1", "ASTRA_AUTHORIZATION_TOKEN=kept: not a name set here",
                                     "ORDERS_US_EAST1_ASTRA_CLUSTER_ID=" ID1,
                                     "ORDERS_US_EAST1_ASTRA_CLUSTER_REGION=us-east1",
                                     "ORDERS_US_EAST1_ASTRA_DB_USERNAME=orders_svc",
                                     "ORDERS_US_EAST1_ASTRA_DB_KEYSPACE=orders",
                                     "ORDERS_US_EAST1_ASTRA_AUTHORIZATION_TOKEN=" TK1,
                                     "BILLING_EU_WEST1_ASTRA_CLUSTER_ID=" ID2,
                                     "BILLING_EU_WEST1_ASTRA_CLUSTER_REGION=eu-west1",
                                     "BILLING_EU_WEST1_ASTRA_DB_USERNAME=svc",
                                     "BILLING_EU_WEST1_ASTRA_DB_KEYSPACE=bills",
                                     "BILLING_EU_WEST1_ASTRA_AUTHORIZATION_TOKEN=" TK2, NULL});
    child_env_free(env);
}

static void test_unportable_value_refused(void **state)
{
    (void)state;
    struct target items[3];
    struct target_list tl = plan(items, 2);
    const char *tokens[] = {TK1, "bad token"};
    struct child_env_request req = {.base = base, .targets = &tl, .tokens = tokens};
    char **env = (char **)1;
    size_t bad_target = 99;
    enum env_var bad = ENV_ID;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_ERR_UNSAFE);
    assert_null(env);
    assert_int_equal(bad_target, 1);
    assert_int_equal(bad, ENV_TOKEN);
}

static void test_empty_base(void **state)
{
    (void)state;
    struct target items[3];
    struct target_list tl = plan(items, 1);
    const char *tokens[] = {TK1};
    struct child_env_request req = {.base = NULL, .targets = &tl, .tokens = tokens};
    char **env;
    size_t bad_target;
    enum env_var bad;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_OK);
    assert_string_equal(env[0], "ASTRA_CLUSTER_ID=" ID1);
    assert_null(env[5]);
    child_env_free(env);
    child_env_free(NULL);
}

/* astra names: the inherited variable of the same name is replaced, a seed-named one is no
 * name set here and stays; no username; the API endpoint. */
static void test_astra_names(void **state)
{
    (void)state;
    struct target items[3];
    struct target_list tl = plan(items, 1);
    tl.env_names = env_names_astra;
    const char *tokens[] = {TK2};
    char *small[] = {"ASTRA_DB_APPLICATION_TOKEN=stale", "ASTRA_AUTHORIZATION_TOKEN=kept", NULL};
    struct child_env_request req = {.base = small, .targets = &tl, .tokens = tokens};
    char **env;
    size_t bad_target;
    enum env_var bad;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_OK);
    assert_env(env,
               (const char *[]){
                   "ASTRA_AUTHORIZATION_TOKEN=kept", "ASTRA_DB_ID=" ID1, "ASTRA_DB_REGION=us-east1",
                   "ASTRA_DB_KEYSPACE=orders", "ASTRA_DB_APPLICATION_TOKEN=" TK2,
                   "ASTRA_DB_API_ENDPOINT=https://" ID1 "-us-east1.apps.astra.datastax.com", NULL});
    child_env_free(env);
}

/* Renames, prefixed for several targets; an application token's database gives the username
 * "token" under seed names. */
static void test_renamed_prefixed_app_token(void **state)
{
    (void)state;
    struct target items[3];
    struct target_list tl = plan(items, 2);
    struct secret_ref app_token = {.kind = SECRET_ENV, .source = "TF_UT_APP_TOKEN"};
    struct target_db app_db = billing;
    app_db.username.value = NULL;
    app_db.password = NULL;
    app_db.app_token = &app_token;
    items[1].db = &app_db;
    tl.env_names.name[ENV_TOKEN] = "MY_TOKEN";
    tl.env_names.name[ENV_ID] = "DB";
    const char *tokens[] = {TK1, TK2};
    char *small[] = {"TF_UT_APP_TOKEN=" TK2, NULL};
    struct child_env_request req = {.base = small, .targets = &tl, .tokens = tokens};
    char **env;
    size_t bad_target;
    enum env_var bad;
    assert_int_equal(child_env_build(&req, &env, &bad_target, &bad), TF_OK);
    assert_env(env, (const char *[]){"ORDERS_US_EAST1_DB=" ID1,
                                     "ORDERS_US_EAST1_ASTRA_CLUSTER_REGION=us-east1",
                                     "ORDERS_US_EAST1_ASTRA_DB_USERNAME=orders_svc",
                                     "ORDERS_US_EAST1_ASTRA_DB_KEYSPACE=orders",
                                     "ORDERS_US_EAST1_MY_TOKEN=" TK1, "BILLING_EU_WEST1_DB=" ID2,
                                     "BILLING_EU_WEST1_ASTRA_CLUSTER_REGION=eu-west1",
                                     "BILLING_EU_WEST1_ASTRA_DB_USERNAME=token",
                                     "BILLING_EU_WEST1_ASTRA_DB_KEYSPACE=bills",
                                     "BILLING_EU_WEST1_MY_TOKEN=" TK2, NULL});
    child_env_free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_target_unprefixed_passwords_out),
        cmocka_unit_test(test_several_targets_prefixed),
        cmocka_unit_test(test_unportable_value_refused),
        cmocka_unit_test(test_empty_base),
        cmocka_unit_test(test_astra_names),
        cmocka_unit_test(test_renamed_prefixed_app_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
