/* test_shard.c: --shard K/N (config/targets.h): for N = 1..16 the N slices of a fleet are
 * disjoint and together hold every target exactly once, keep inventory order, and are stable
 * (the hash is pinned: hosts running different versions must still agree on the split). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/load.h"

#define N_DATABASES 300 /* x 2 regions */

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
    /* 64-bit FNV-1a of the target name, modulo N. Changing these breaks mixed-version fleets. */
    assert_int_equal(targets_shard_of("orders/us-east1", 16), 12);
    assert_int_equal(targets_shard_of("", 7), 14695981039346656037ULL % 7);
    assert_int_equal(targets_shard_of("a", 1000), 12638187200555641996ULL % 1000);
    assert_int_equal(targets_shard_of("orders/us-east1", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_cover_every_target_once),
        cmocka_unit_test(test_split_is_pinned),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
