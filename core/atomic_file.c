/* atomic_file.c: temp file, fsync, rename. */
#include "core/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"

#define TMP_MARK ".tmp-"

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Some file systems refuse fsync on folders: not an error. */
void atomic_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static void sync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (copy)
        atomic_sync_dir(dirname(copy));
    free(copy);
}

enum tf_err atomic_write(const char *path, const void *data, size_t len, mode_t mode, int sync_dir)
{
    /* ".name.tmp-HOST-PID-XXXXXX" beside the target: hidden from globs such as *.env, on the
     * same file system, and recognisable as stale once PID is gone from HOST (pods sharing a
     * volume have their own host names and pid numbers: one never judges another's files). */
    char *copy = strdup(path);
    char *tmp = NULL;
    if (copy) {
        const char *dir = dirname(copy);
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        char host[HOST_NAME_MAX + 1] = "";
        gethostname(host, sizeof host - 1);
        host[strcspn(host, "/-.")] = '\0'; /* the first label only: no separator inside */
        tmp = text_printf("%s/.%s" TMP_MARK "%s-%ld-XXXXXX", dir, base, host, (long)getpid());
    }
    free(copy);
    if (!tmp) {
        errno = ENOMEM;
        return TF_ERR_IO;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        free(tmp);
        return TF_ERR_IO;
    }
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        errno = saved;
        return TF_ERR_IO;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        free(tmp);
        errno = saved;
        return TF_ERR_IO;
    }
    free(tmp);
    if (sync_dir)
        sync_dir_of(path);
    return TF_OK;
}

size_t atomic_remove_stale(const char *dir, const char *base)
{
    size_t removed = 0;
    char host[HOST_NAME_MAX + 1] = "";
    gethostname(host, sizeof host - 1);
    host[strcspn(host, "/-.")] = '\0';
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        /* .BASE.tmp-PID-XXXXXX */
        const char *mark = strstr(e->d_name, TMP_MARK);
        if (e->d_name[0] != '.' || !mark)
            continue;
        if (base && (strlen(base) != (size_t)(mark - e->d_name - 1) ||
                     strncmp(e->d_name + 1, base, strlen(base)) != 0))
            continue;
        /* HOST-PID-XXXXXX: only our host's files, and only when their writer is gone. */
        const char *h = mark + strlen(TMP_MARK);
        size_t hl = strlen(host);
        if (strncmp(h, host, hl) != 0 || h[hl] != '-')
            continue;
        char *end;
        long pid = strtol(h + hl + 1, &end, 10);
        if (pid <= 0 || *end != '-' || strlen(end) != 7)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its writer is alive (or not ours to judge) */
        if (unlinkat(dirfd(dp), e->d_name, 0) == 0)
            removed++;
    }
    closedir(dp);
    return removed;
}

int atomic_buf_open(struct atomic_buf *b)
{
    memset(b, 0, sizeof *b);
    b->f = open_memstream(&b->data, &b->len);
    return b->f ? 0 : -1;
}

static void wipe(struct atomic_buf *b)
{
    if (b->data)
        explicit_bzero(b->data, b->len);
    free(b->data);
    b->data = NULL;
}

void atomic_buf_discard(struct atomic_buf *b)
{
    fclose(b->f);
    b->f = NULL;
    wipe(b);
}

int atomic_buf_commit(struct atomic_buf *b, const char *path, mode_t mode, int sync_dir)
{
    int rc = fclose(b->f) == 0 ? 0 : -1;
    b->f = NULL;
    if (rc == 0 && atomic_write(path, b->data, b->len, mode, sync_dir) != TF_OK)
        rc = -1;
    int saved = errno;
    wipe(b);
    errno = saved;
    return rc;
}
