/* atomic_file.h: writing a file so that readers see the old or the new content, never a part. */
#ifndef TOKENFLEET_ATOMIC_FILE_H
#define TOKENFLEET_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/errors.h"

/* Writes len bytes of data to path: a temp file in the same folder (created with mode, 0600 for
 * anything holding a token), fsync, rename over path, and with sync_dir an fsync of the folder
 * (without it, the caller calls atomic_sync_dir once after many files: a crash before that may
 * lose the rename, never the file's content). On failure the temp file is removed, path is as it
 * was, errno says why, and TF_ERR_IO is returned. */
enum tf_err atomic_write(const char *path, const void *data, size_t len, mode_t mode,
                         int sync_dir);

/* Makes the renames done in dir durable (fsync of the folder). */
void atomic_sync_dir(const char *dir);

/* Removes the temp files that atomic_write left in dir when its process was killed (their names
 * carry the writer's pid; those of a process still running are kept). Only temp files for
 * `base` are considered, or all of them when base is NULL. Returns how many were removed. */
size_t atomic_remove_stale(const char *dir, const char *base);

#endif
