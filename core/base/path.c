/* path.c: folders and file names. */
#include "core/base/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
}

const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int path_mkdirs(const char *path, mode_t mode)
{
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int rc = 0;
    for (char *p = copy + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, mode) != 0 && errno != EEXIST)
            rc = -1;
        *p = saved;
        if (!saved)
            break;
    }
    free(copy);
    struct stat st;
    if (rc == 0 && stat(path, &st) != 0)
        rc = -1;
    else if (rc == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR; /* mkdir's EEXIST would say nothing useful */
        rc = -1;
    }
    return rc;
}

int path_dir_creatable(const char *path)
{
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    char *dir = strdup(path);
    if (!dir)
        return -1;
    int rc = -1;
    for (;;) {
        struct stat st;
        if (stat(dir, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                errno = ENOTDIR;
            else
                rc = access(dir, W_OK | X_OK);
            break;
        }
        if (errno != ENOENT)
            break;
        /* Missing: its parent must take it. */
        char *parent = path_dirname(dir);
        if (!parent || !strcmp(parent, dir)) {
            free(parent);
            break;
        }
        free(dir);
        dir = parent;
    }
    free(dir);
    return rc;
}

int path_file_writable(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    char *dir = path_dirname(path);
    if (!dir)
        return -1;
    int rc = access(dir, W_OK | X_OK);
    free(dir);
    return rc;
}
