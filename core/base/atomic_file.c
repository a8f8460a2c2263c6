/* atomic_file.c: temp file, fsync, rename. */
#include "core/base/atomic_file.h"

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

#include "core/base/text.h"

#define TMP_MARK ".tmp-"

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

/* This host's name for temp files: up to its first dot, '-' turned into '_' (the name's
 * separator), so that pods of one Job (tokenfleet-provision-3-x7k2p, ...-4-q9z1m) stay apart. */
static void host_label(char host[HOST_NAME_MAX + 1])
{
    memset(host, 0, HOST_NAME_MAX + 1);
    gethostname(host, HOST_NAME_MAX);
    host[strcspn(host, "/.")] = '\0';
    for (char *p = host; *p; p++)
        if (*p == '-')
            *p = '_';
}

/* ".name.tmp-HOST-PID-XXXXXX" beside path: hidden from globs such as *.env, on the same file
 * system, and recognisable as stale once PID is gone from HOST (pods sharing a volume have their
 * own host names and pid numbers: one never judges another's files). Returns a new string. */
static char *temp_template(const char *path)
{
    char *copy = strdup(path);
    char *tmp = NULL;
    if (copy) {
        const char *dir = dirname(copy);
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        char host[HOST_NAME_MAX + 1];
        host_label(host);
        tmp = text_printf("%s/.%s" TMP_MARK "%s-%ld-XXXXXX", dir, base, host, (long)getpid());
    }
    free(copy);
    return tmp;
}

int atomic_out_open(struct atomic_out *o, const char *path, mode_t mode)
{
    memset(o, 0, sizeof *o);
    o->tmp = temp_template(path);
    o->path = strdup(path);
    if (!o->tmp || !o->path) {
        free(o->tmp);
        free(o->path);
        errno = ENOMEM;
        return -1;
    }
    int fd = mkostemp(o->tmp, O_CLOEXEC);
    if (fd < 0 || fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "w"))) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        free(o->path);
        errno = saved;
        return -1;
    }
    /* The stream's buffer is ours, so that what passed through it (tokens) is wiped. */
    setvbuf(o->f, o->buf, _IOFBF, sizeof o->buf);
    return 0;
}

/* Closes the stream and wipes its buffer. Returns 0, or -1 (errno) when a write failed. */
static int close_stream(struct atomic_out *o, int sync)
{
    /* ferror: a print that failed (a full disk) must not be followed by a commit of what a
     * later flush managed to write. */
    int rc = fflush(o->f) == 0 && !ferror(o->f) && (!sync || fsync(fileno(o->f)) == 0) ? 0 : -1;
    int saved = ferror(o->f) && errno == 0 ? EIO : errno;
    if (fclose(o->f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    o->f = NULL;
    explicit_bzero(o->buf, sizeof o->buf);
    errno = saved;
    return rc;
}

static void clear(struct atomic_out *o)
{
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
}

void atomic_out_discard(struct atomic_out *o)
{
    if (!o->f)
        return;
    close_stream(o, 0);
    unlink(o->tmp);
    clear(o);
}

int atomic_out_commit(struct atomic_out *o, int sync_dir)
{
    int rc = close_stream(o, 1);
    if (rc == 0 && rename(o->tmp, o->path) != 0)
        rc = -1;
    int saved = errno;
    if (rc != 0)
        unlink(o->tmp);
    else if (sync_dir)
        sync_dir_of(o->path);
    clear(o);
    errno = saved;
    return rc;
}

size_t atomic_remove_stale(const char *dir, const char *base)
{
    size_t removed = 0;
    char host[HOST_NAME_MAX + 1];
    host_label(host);
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        /* .BASE.tmp-HOST-PID-XXXXXX: the last mark (BASE may hold one; HOST has no dot) */
        const char *mark = NULL;
        for (const char *m = strstr(e->d_name, TMP_MARK); m; m = strstr(m + 1, TMP_MARK))
            mark = m;
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
