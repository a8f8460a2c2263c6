/* fdlimit.c: RLIMIT_NOFILE. */
#include "core/base/fdlimit.h"

#include <sys/resource.h>

long fdlimit_raise(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = {rl.rlim_max, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl.rlim_cur = rl.rlim_max;
    }
    return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)1 << 30 ? 1L << 30
                                                                         : (long)rl.rlim_cur;
}

long fdlimit_concurrency(long limit)
{
    long n = (limit - FDLIMIT_RESERVED) / FDLIMIT_PER_TRANSFER;
    return n < 1 ? 1 : n;
}
