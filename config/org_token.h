/* org_token.h: the organization token discover lists databases with, read from an environment
 * variable or a file (never the command line) and checked for an application token's shape. */
#ifndef TOKENFLEET_ORG_TOKEN_H
#define TOKENFLEET_ORG_TOKEN_H

#include "core/base/errors.h"

/* Longest token file read; a token is about 100 bytes. */
#define ORG_TOKEN_FILE_MAX 4096

/* Reads the token from the variable env_name when it is not NULL, else from the file at path
 * (one newline at its end is dropped). Returns TF_OK with *token set (a new string: free it with
 * text_free_secret); TF_ERR_USAGE when the source is unset, empty, unreadable, more than one
 * line, or not of an application token's shape (APP_TOKEN_SHAPE), with *error a new message that
 * names the source (--org-token-env NAME, --org-token-file PATH) and never the value (the caller
 * frees it); TF_ERR_NOMEM. */
enum tf_err org_token_read(const char *env_name, const char *path, char **token, char **error);

#endif
