/* atomic_file.h: writing a file so that readers see the old or the new content, never a part. */
#ifndef TOKENFLEET_ATOMIC_FILE_H
#define TOKENFLEET_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/errors.h"

/* Writes len bytes of data to path: a temp file in the same folder (created with mode, 0600 for
 * anything holding a token), fsync, rename over path, and with sync_dir an fsync of the folder
 * (without it, the caller calls atomic_sync_dir once after many files: a crash before that may
 * lose the rename, never the file's content). On failure the temp file is removed, path is as it
 * was, errno says why, and TF_ERR_IO is returned. */
enum tf_err atomic_write(const char *path, const void *data, size_t len, mode_t mode, int sync_dir);

/* A file's content rendered in memory (a stdio stream) and then written with atomic_write: what
 * is printed to f only reaches the disk whole. */
struct atomic_buf {
    FILE *f;    /* print here */
    char *data; /* owned by the stream until commit or discard */
    size_t len;
};

/* Opens b's stream. Returns 0, or -1 when out of memory. */
int atomic_buf_open(struct atomic_buf *b);

/* Closes the stream and writes what it holds to path with mode (see atomic_write for sync_dir);
 * the memory is wiped (it may have held tokens). Returns 0, or -1 with errno set. */
int atomic_buf_commit(struct atomic_buf *b, const char *path, mode_t mode, int sync_dir);

/* Closes the stream and wipes and drops what it held. */
void atomic_buf_discard(struct atomic_buf *b);

/* Makes the renames done in dir durable (fsync of the folder). */
void atomic_sync_dir(const char *dir);

/* Removes the temp files that atomic_write left in dir when its process was killed (their names
 * carry the writer's pid; those of a process still running are kept). Only temp files for
 * `base` are considered, or all of them when base is NULL. Returns how many were removed. */
size_t atomic_remove_stale(const char *dir, const char *base);

#endif
