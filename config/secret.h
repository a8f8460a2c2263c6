/* secret.h: resolving a password reference ({env: NAME}, {file: PATH}) to the password. */
#ifndef TOKENFLEET_SECRET_H
#define TOKENFLEET_SECRET_H

#include "config/inventory.h"

/* Longest password file read; a longer file is refused as not being a password file. */
#define SECRET_FILE_MAX_BYTES 4096

/* Resolves s once: reads the environment variable, or the file (relative to dir unless absolute;
 * one trailing newline stripped). A missing or empty source is reported in d at the reference's
 * place, never with the password in the message. Returns TF_OK (s->value set, or the error
 * recorded in d) or TF_ERR_NOMEM. A second call on the same reference does nothing. */
enum tf_err secret_resolve(struct secret_ref *s, const char *dir, struct diag *d);

#endif
