/* request_options.c: command-line request options -> driver options. */
#include "cmd/request_options.h"

struct driver_options request_options(const struct cli *cli, const struct tf_msg *msg)
{
    return (struct driver_options){
        .concurrency = cli->concurrency,
        .timeout_ms = cli->timeout_ms,
        .connect_timeout_ms = cli->connect_timeout_ms,
        .cacert = cli->cacert,
        .capath = cli->capath,
        .connect_to = cli->connect_to,
        .n_connect_to = cli->n_connect_to,
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
