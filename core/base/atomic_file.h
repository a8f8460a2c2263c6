/* atomic_file.h: writing a file so that readers see the old or the new content, never a part. */
#ifndef TOKENFLEET_ATOMIC_FILE_H
#define TOKENFLEET_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/base/errors.h"

/* A file being written: a stdio stream to a temp file in the target's folder, which only
 * replaces the target, whole, when committed. Nothing is held in memory but the stream's buffer:
 * a 100,000-target report goes to disk as it is printed. */
struct atomic_out {
    FILE *f;             /* print here */
    char *tmp;           /* the temp file's path; owned */
    char *path;          /* the target's path; owned */
    char buf[64 * 1024]; /* the stream's buffer, wiped when closed (it may have held tokens) */
};

/* Creates the temp file beside path with mode (0600 for anything holding a token) and opens o's
 * stream on it. Returns 0, or -1 with errno set (nothing is left behind). */
int atomic_out_open(struct atomic_out *o, const char *path, mode_t mode);

/* Flushes, fsyncs and closes the temp file and renames it over path; with sync_dir, fsyncs the
 * folder too (without it, the caller calls atomic_sync_dir once after many files: a crash before
 * that may lose the rename, never the file's content). Returns 0, or -1 with errno set: the temp
 * file is then removed and path is as it was. */
int atomic_out_commit(struct atomic_out *o, int sync_dir);

/* Closes and removes the temp file; path is as it was. A no-op on a discarded or committed o. */
void atomic_out_discard(struct atomic_out *o);

/* Makes the renames done in dir durable (fsync of the folder). */
void atomic_sync_dir(const char *dir);

/* Removes the temp files that atomic_out left in dir when its process was killed (their names
 * carry the writer's pid; those of a process still running are kept). Only temp files for
 * `base` are considered, or all of them when base is NULL. Returns how many were removed. */
size_t atomic_remove_stale(const char *dir, const char *base);

#endif
