/* dry_run.h: --dry-run: the requests a run would send, printed instead of sent. */
#ifndef TOKENFLEET_DRY_RUN_H
#define TOKENFLEET_DRY_RUN_H

#include "core/base/msg.h"
#include "core/target.h"

/* Prints every target's auth request to stdout as it would be sent (the password shown as
 * ********), and a count through msg. Returns 0, or -1 when stdout could not be written or
 * memory ran out (printed through msg). */
int dry_run_print(const struct target_list *targets, const struct tf_msg *msg);

#endif
