/* request.c: request bodies and request ids. */
#include "core/request.h"

#include <jansson.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core/base/text.h"

char *request_body(const char *username, const char *password)
{
    json_t *obj = json_pack("{s:s, s:s}", "username", username, "password", password);
    if (!obj)
        return NULL;
    char *text = json_dumps(obj, JSON_COMPACT);
    /* jansson keeps its own copy of the password in the string value: wipe it before freeing. */
    json_t *pw = json_object_get(obj, "password");
    if (pw)
        explicit_bzero((char *)json_string_value(pw), json_string_length(pw));
    json_decref(obj);
    return text;
}

void request_new_id(unsigned char id[16], char text[REQUEST_ID_LEN + 1])
{
    uuid_generate_random(id);
    uuid_unparse_lower(id, text);
}
