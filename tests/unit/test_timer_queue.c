/* test_timer_queue.c: the timers of targets waiting for their next attempt (core/base/
 * timer_queue.h): due order, and ties fired in the order they were queued, whatever the heap's
 * shape. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/base/timer_queue.h"

static void test_due_order(void **state)
{
    (void)state;
    struct timer_queue q = {0};
    const int64_t due[] = {50, 10, 40, 20, 30};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(timer_queue_push(&q, due[i], i), 0);
    const size_t expect[] = {1, 3, 4, 2, 0};
    for (size_t i = 0; i < 5; i++) {
        assert_non_null(timer_queue_peek(&q));
        assert_int_equal(timer_queue_peek(&q)->id, expect[i]);
        timer_queue_pop(&q);
    }
    assert_null(timer_queue_peek(&q));
    timer_queue_pop(&q); /* a no-op when empty */
    timer_queue_clear(&q);
}

/* 1,000 timers at three moments, pushed interleaved: each moment's come out in push order. */
static void test_ties_in_push_order(void **state)
{
    (void)state;
    struct timer_queue q = {0};
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(timer_queue_push(&q, (int64_t)(i % 3) * 100, i), 0);
    size_t last[3] = {0, 0, 0};
    int seen[3] = {0, 0, 0};
    int64_t prev_due = -1;
    for (size_t n = 0; n < 1000; n++) {
        const struct timer_entry *e = timer_queue_peek(&q);
        assert_non_null(e);
        assert_true(e->due_ms >= prev_due);
        size_t moment = (size_t)(e->due_ms / 100);
        if (seen[moment])
            assert_true(e->id > last[moment]);
        seen[moment] = 1;
        last[moment] = e->id;
        prev_due = e->due_ms;
        timer_queue_pop(&q);
    }
    timer_queue_clear(&q);
}

/* Ties stay in order while others come and go between them. */
static void test_ties_across_pops(void **state)
{
    (void)state;
    struct timer_queue q = {0};
    assert_int_equal(timer_queue_push(&q, 5, 100), 0);
    assert_int_equal(timer_queue_push(&q, 7, 1), 0);
    timer_queue_pop(&q); /* 100 */
    for (size_t i = 2; i <= 64; i++)
        assert_int_equal(timer_queue_push(&q, 7, i), 0);
    for (size_t i = 1; i <= 64; i++) {
        assert_int_equal(timer_queue_peek(&q)->id, i);
        timer_queue_pop(&q);
    }
    timer_queue_clear(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_order),
        cmocka_unit_test(test_ties_in_push_order),
        cmocka_unit_test(test_ties_across_pops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
