/* path.h: file-name pieces and folders: the folder of a path, mkdir -p, and whether a file could
 * be written at a path (without writing it). */
#ifndef TOKENFLEET_PATH_H
#define TOKENFLEET_PATH_H

#include <sys/types.h>

/* Returns a new string: the folder path is in ("." for a bare name, "/" for "/name"), or NULL
 * when out of memory. Caller frees. */
char *path_dirname(const char *path);

/* Returns the part of path after its last '/' (path itself when there is none); borrowed. */
const char *path_basename(const char *path);

/* mkdir -p: creates path and its missing parents with mode. Returns 0 when path is (now) a
 * folder, or -1 with errno set (ENOTDIR when it or a parent is something else). */
int path_mkdirs(const char *path, mode_t mode);

/* Whether a folder could be made at path by path_mkdirs and written into, without making it:
 * path, or its nearest existing ancestor, must be a folder we may write into. Returns 0, or -1
 * with errno set. */
int path_dir_creatable(const char *path);

/* Whether a file could be created or replaced at path (its folder exists and is writable, and
 * path is not a folder). Returns 0, or -1 with errno set (EISDIR for a folder). */
int path_file_writable(const char *path);

#endif
