/* secret.c: password references to passwords. */
#include "config/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/text.h"
#include "core/base/utf8.h"

/* Reads at most SECRET_FILE_MAX_BYTES of path into a new string. Returns TF_OK, TF_ERR_IO (errno
 * kept), TF_ERR_TOOBIG, TF_ERR_UNSAFE (not a regular file, or a NUL byte in it) or
 * TF_ERR_NOMEM; *mode and *gid get the file's permission bits and group. */
static enum tf_err read_secret_file(const char *path, char **out, mode_t *mode, gid_t *gid)
{
    enum tf_err rc = TF_ERR_IO;
    char buf[SECRET_FILE_MAX_BYTES + 3]; /* the password, \r\n, and one byte to see "too big" */
    size_t len = 0;
    /* O_NONBLOCK: a FIFO or a terminal named by mistake must not hang validate. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return TF_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto out;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = TF_ERR_UNSAFE;
        goto out;
    }
    *mode = st.st_mode & 07777;
    *gid = st.st_gid;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf) {
            rc = TF_ERR_TOOBIG;
            goto out;
        }
    }
    if (len && buf[len - 1] == '\n')
        len--;
    if (len && buf[len - 1] == '\r')
        len--;
    if (len > SECRET_FILE_MAX_BYTES) {
        rc = TF_ERR_TOOBIG;
        goto out;
    }
    if (memchr(buf, '\0', len)) {
        rc = TF_ERR_UNSAFE; /* it would be cut there, silently */
        goto out;
    }
    size_t skip = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0; /* an editor's BOM */
    *out = strndup(buf + skip, len - skip);
    rc = *out ? TF_OK : TF_ERR_NOMEM;
out:
    explicit_bzero(buf, sizeof buf);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* A file only its owner and our own group may read, and nobody else write: what a Kubernetes
 * Secret mounted with fsGroup and defaultMode 0440 is (the pod's user cannot own it, but the
 * group is the pod's). Not worth a warning. */
static int own_group_readable(mode_t mode, gid_t gid)
{
    if ((mode & 077) != 040)
        return 0;
    if (gid == getegid())
        return 1;
    gid_t groups[256];
    int n = getgroups(256, groups);
    for (int i = 0; i < n; i++)
        if (groups[i] == gid)
            return 1;
    return 0;
}

enum tf_err secret_resolve(struct secret_ref *s, const char *dir, struct diag *d)
{
    if (s->resolved)
        return TF_OK;
    s->resolved = 1;
    if (s->kind == SECRET_ENV) {
        const char *v = getenv(s->source);
        if (!v)
            diag_error(d, s->at,
                       "environment variable %s is not set; export it before running "
                       "tokenfleet",
                       s->source);
        else if (!*v)
            diag_error(d, s->at, "environment variable %s is empty; it must hold the password",
                       s->source);
        else if (utf8_valid_prefix(v, strlen(v)) != strlen(v))
            diag_error(d, s->at,
                       "environment variable %s is not UTF-8 text; a password is sent "
                       "as a JSON string, which must be",
                       s->source);
        else if (!(s->value = strdup(v)))
            return TF_ERR_NOMEM;
        return TF_OK;
    }
    if (s->kind != SECRET_FILE)
        return TF_OK;

    char *path = s->source[0] == '/' ? strdup(s->source) : text_printf("%s%s", dir, s->source);
    if (!path)
        return TF_ERR_NOMEM;
    mode_t mode = 0;
    gid_t gid = 0;
    enum tf_err rc = read_secret_file(path, &s->value, &mode, &gid);
    if (rc == TF_ERR_NOMEM) {
        free(path);
        return rc;
    }
    if (rc == TF_ERR_IO)
        diag_error(d, s->at, "cannot read password file %s: %s", path, strerror(errno));
    else if (rc == TF_ERR_UNSAFE)
        diag_error(d, s->at,
                   "password file %s is not a regular file holding text (a device, a "
                   "pipe, or a NUL byte inside); give the file that holds the password",
                   path);
    else if (rc == TF_ERR_TOOBIG)
        diag_error(d, s->at, "password file %s is larger than %d bytes; is it the right file?",
                   path, SECRET_FILE_MAX_BYTES);
    else if (!*s->value || utf8_valid_prefix(s->value, strlen(s->value)) != strlen(s->value)) {
        diag_error(d, s->at,
                   *s->value ? "password file %s is not UTF-8 text; a password is sent as a JSON "
                               "string, which must be"
                             : "password file %s is empty; it must hold the password",
                   path);
        text_free_secret(s->value);
        s->value = NULL;
    } else if ((mode & 077) && !own_group_readable(mode, gid))
        diag_warn(d, s->at,
                  "password file %s can be read by group or others (mode %04o); "
                  "chmod 600 it",
                  path, (unsigned)mode);
    free(path);
    return TF_OK;
}
