/* test_shard.c: --shard K/N (config/targets.h): for N = 1..16 the N slices of a fleet are
 * disjoint and together hold every target exactly once, keep inventory order, and are stable
 * (the hash is pinned: hosts running different versions must still agree on the split); over
 * 100,000 realistic target names every N from 2 to 64 splits within 4 sigma of even. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/load.h"

#define N_DATABASES 300 /* x 2 regions */

/* Version 2's split of three names, worked out once (python3: splitmix64(fnv1a64(name)) % n). */
#define SHARD_ORDERS_16 13
#define SHARD_EMPTY_7   5
#define SHARD_A_1000    736

static char inventory[64];

static int setup(void **state)
{
    (void)state;
    strcpy(inventory, "/tmp/tokenfleet-shard-XXXXXX");
    int fd = mkstemp(inventory);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "version: 1\ndefaults:\n  keyspace: ks\n  username: svc\n"
               "  password: {env: TF_SHARD_PW}\n  regions: [us-east1, eu-west1]\ndatabases:\n");
    for (int i = 0; i < N_DATABASES; i++)
        fprintf(f, "  - name: db%03d\n    id: 00000000-0000-4000-8000-%012d\n", i, i);
    fclose(f);
    return setenv("TF_SHARD_PW", "pw", 1);
}

static int teardown(void **state)
{
    (void)state;
    unlink(inventory);
    return 0;
}

static void load(const struct shard *shard, struct inventory **inv, struct target_list *list)
{
    FILE *sink = fopen("/dev/null", "w");
    assert_int_equal(config_load(inventory, NULL, 0, shard, sink, 0, inv, list), TF_OK);
    fclose(sink);
}

static void test_slices_cover_every_target_once(void **state)
{
    (void)state;
    struct inventory *all_inv;
    struct target_list all;
    load(NULL, &all_inv, &all);
    assert_int_equal(all.count, 2 * N_DATABASES);
    int *seen = calloc(all.count, sizeof *seen);
    for (unsigned n = 1; n <= 16; n++) {
        memset(seen, 0, all.count * sizeof *seen);
        for (unsigned k = 0; k < n; k++) {
            struct inventory *inv;
            struct target_list slice;
            load(&(struct shard){k, n}, &inv, &slice);
            size_t pos = 0;
            for (size_t i = 0; i < slice.count; i++) {
                /* Find it in the whole list, after the previous one: inventory order kept. */
                while (pos < all.count && strcmp(all.items[pos].name, slice.items[i].name))
                    pos++;
                assert_true(pos < all.count);
                seen[pos]++;
            }
            if (n > 1 && n <= 4)
                assert_true(slice.count > 0); /* 600 targets: no slice of a few is empty */
            target_list_clear(&slice);
            inventory_free(inv);
        }
        for (size_t i = 0; i < all.count; i++)
            assert_int_equal(seen[i], 1);
    }
    free(seen);
    target_list_clear(&all);
    inventory_free(all_inv);
}

static void test_split_is_pinned(void **state)
{
    (void)state;
    /* Version 2: SplitMix64's finaliser over 64-bit FNV-1a of the target name, modulo N.
     * Changing these breaks fleets split by hosts of different versions. */
    assert_int_equal(TARGETS_SHARD_HASH, 2);
    assert_int_equal(targets_shard_of("orders/us-east1", 16), SHARD_ORDERS_16);
    assert_int_equal(targets_shard_of("", 7), SHARD_EMPTY_7);
    assert_int_equal(targets_shard_of("a", 1000), SHARD_A_1000);
    assert_int_equal(targets_shard_of("orders/us-east1", 1), 0);
}

/* Names as fleets have them: a service's name (three syllables), its stage, its region; 20^3 x
 * 4 x 4 of them, the first 100,000. (FNV-1a mod N alone is 4.4 sigma off even for them at
 * N = 32: its low bits depend on the low bits of each byte only.) */
static char *realistic_name(size_t i, char buf[96])
{
    static const char *const syl[] = {"ka", "lo", "mi", "ne", "ru", "ta", "po", "si", "an", "el",
                                      "or", "is", "ut", "ba", "de", "fo", "gu", "hi", "jo", "ve"};
    static const char *const stages[] = {"prod", "stg", "dev", "qa"};
    static const char *const regions[] = {"us-east1", "eu-west1", "europe-west1", "asia-south1"};
    size_t r = i % 4, e = (i / 4) % 4, w = i / 16;
    snprintf(buf, 96, "%s%s%s-%s/%s", syl[w / 400], syl[(w / 20) % 20], syl[w % 20], stages[e],
             regions[r]);
    return buf;
}

static void test_balance_for_every_n(void **state)
{
    (void)state;
    enum { NAMES = 100000 };
    for (unsigned n = 2; n <= 64; n++) {
        size_t count[64] = {0};
        char buf[96];
        for (size_t i = 0; i < NAMES; i++)
            count[targets_shard_of(realistic_name(i, buf), n)]++;
        double p = 1.0 / n, sigma = sqrt(NAMES * p * (1 - p)), worst = 0;
        for (unsigned k = 0; k < n; k++) {
            double dev = fabs((double)count[k] - NAMES * p) / sigma;
            worst = dev > worst ? dev : worst;
        }
        if (n == 2 || n == 16 || n == 64)
            print_message("N=%u: largest slice off even by %.2f sigma (slice 0: %zu of %.0f)\n", n,
                          worst, count[0], NAMES * p);
        if (worst > 4)
            fail_msg("N=%u: a slice is %.2f sigma off even", n, worst);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_cover_every_target_once),
        cmocka_unit_test(test_split_is_pinned),
        cmocka_unit_test(test_balance_for_every_n),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
