/* request.h: what one auth request carries: its JSON body and its request id. */
#ifndef TOKENFLEET_REQUEST_H
#define TOKENFLEET_REQUEST_H

#include "core/result.h"

/* The Data API command that proves an application token (api: data): it reads, changes
 * nothing, and needs no collection. */
#define REQUEST_DATA_API_PROOF "{\"findCollections\":{}}"

/* Returns a new JSON body {"username": ..., "password": ...} built by jansson, or NULL when out
 * of memory. It holds the password: free it with text_free_secret. */
char *request_body(const char *username, const char *password);

/* Makes a fresh random (v4) UUID with libuuid: into id (binary), and as text (lowercase,
 * NUL-terminated) into text. */
void request_new_id(unsigned char id[16], char text[REQUEST_ID_LEN + 1]);

#endif
