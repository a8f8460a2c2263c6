/* request_options.c: command-line request options -> driver options. */
#include "cmd/request_options.h"

#include <stdlib.h>

#include "core/base/fdlimit.h"

static const char *env(const char *name)
{
    return getenv(name);
}

struct driver_options request_options(const struct cli *cli, const struct tf_msg *msg)
{
    /* No target may fail for want of a descriptor of our own: the soft limit goes up to the
     * hard one, and -j comes down to what fits, said once. */
    long concurrency = cli->concurrency;
    long limit = fdlimit_raise();
    if (limit > 0 && fdlimit_concurrency(limit) < concurrency) {
        warnf(msg,
              "-j %ld needs about %ld open files, and the limit is %ld (ulimit -n, raised to its "
              "hard limit): running %ld requests at a time instead",
              concurrency, concurrency * FDLIMIT_PER_TRANSFER + FDLIMIT_RESERVED, limit,
              fdlimit_concurrency(limit));
        concurrency = fdlimit_concurrency(limit);
    }
    struct proxy_config proxy;
    proxy_config_init(&proxy, cli->proxy, cli->noproxy, env);
    return (struct driver_options){
        .concurrency = concurrency,
        .timeout_ms = cli->timeout_ms,
        .connect_timeout_ms = cli->connect_timeout_ms,
        .cacert = cli->cacert,
        .capath = cli->capath,
        .connect_to = cli->connect_to,
        .n_connect_to = cli->n_connect_to,
        .proxy = proxy,
        .retry =
            {
                .retries = (unsigned)cli->retries,
                .delay_ms = cli->retry_delay_ms,
                .cap_ms = RETRY_DEFAULT_CAP_MS,
                .max_wait_ms = cli->retry_max_wait_ms,
            },
        .deadline_ms = cli->deadline_ms,
        .verify = cli->verify,
        .stop_fd = -1,
        .msg = msg,
    };
}
