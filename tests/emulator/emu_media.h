/* emu_media: the Content-Type and Accept checks Jersey makes before a JSON resource runs. */
#ifndef EMU_MEDIA_H
#define EMU_MEDIA_H

#include <stdbool.h>

/* Returns true when CONTENT_TYPE names application/json (any case, any parameters such as
 * charset). */
bool emu_media_is_json(const char *content_type);

/*
 * Returns true when ACCEPT lets the server answer application/json: the header is absent (NULL) or
 * blank, or the most specific of its ranges that cover JSON has a q above 0. From most to least
 * specific those are "application/json", "application/" with a "*" subtype, and "*" over "*" (or
 * a bare "*", as old Java clients send it).
 */
bool emu_media_accepts_json(const char *accept);

#endif
