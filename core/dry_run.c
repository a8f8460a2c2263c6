/* dry_run.c: print the requests instead of sending them. */
#include "core/dry_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "version.h"

int dry_run_print(const struct target_list *targets, const struct tf_msg *msg)
{
    for (size_t i = 0; i < targets->count; i++) {
        const struct target *t = &targets->items[i];
        unsigned char bin[16];
        char id[REQUEST_ID_LEN + 1];
        request_new_id(bin, id);
        if (t->db->app_token) {
            /* No token to ask for: the application token's one proof. */
            int data = t->db->api == TARGET_API_DATA;
            printf("# %s (application token)\n%s %s\n%sAccept: application/json\n"
                   "User-Agent: tokenfleet/%s\nx-cassandra-request-id: %s\n%s: ********\n\n%s",
                   t->name, data ? "POST" : "GET", t->keyspace_url,
                   data ? "Content-Type: application/json\n" : "", TOKENFLEET_VERSION, id,
                   data ? "Token" : "X-Cassandra-Token", data ? REQUEST_DATA_API_PROOF "\n\n" : "");
            continue;
        }
        char *body = request_body(t->db->username.value, "********");
        if (!body) {
            errorf(msg, "out of memory");
            return -1;
        }
        printf("# %s\nPOST %s\nContent-Type: application/json\nAccept: application/json\n"
               "User-Agent: tokenfleet/%s\nx-cassandra-request-id: %s\n\n%s\n\n",
               t->name, t->url, TOKENFLEET_VERSION, id, body);
        free(body);
    }
    if (fflush(stdout) != 0) {
        errorf(msg, "cannot write to standard output: %s", strerror(errno));
        return -1;
    }
    infof(msg, "dry run: %zu request%s not sent (passwords and tokens are shown as ********)",
          targets->count, targets->count == 1 ? "" : "s");
    return 0;
}
