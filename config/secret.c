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

/* What is wrong with a password file. */
enum file_problem {
    FILE_OK,
    FILE_NOMEM,
    FILE_IO,       /* errno says why */
    FILE_NOT_TEXT, /* not a regular file, or a NUL byte in it */
    FILE_TOOBIG,   /* over SECRET_FILE_MAX_BYTES */
    FILE_CR,       /* a carriage return anywhere */
    FILE_NEWLINES, /* more than one newline at the end */
    FILE_EMPTY,    /* nothing but one newline, or nothing */
    FILE_NOT_UTF8,
};

/* Reads at most SECRET_FILE_MAX_BYTES of path (and one newline after them) into a new string,
 * the newline stripped. *mode and *gid get the file's permission bits and group. */
static enum file_problem read_secret_file(const char *path, char **out, mode_t *mode, gid_t *gid)
{
    enum file_problem rc = FILE_IO;
    char buf[SECRET_FILE_MAX_BYTES + 2]; /* the password, \n, and one byte to see "too big" */
    size_t len = 0;
    /* O_NONBLOCK: a FIFO or a terminal named by mistake must not hang validate. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return FILE_IO;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto out;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = FILE_NOT_TEXT;
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
            rc = FILE_TOOBIG;
            goto out;
        }
    }
    /* Checked before anything is stripped: each would be sent as part of the password. */
    if (memchr(buf, '\0', len))
        rc = FILE_NOT_TEXT; /* it would be cut there, silently */
    else if (memchr(buf, '\r', len))
        rc = FILE_CR; /* a file saved with Windows line ends */
    else if (len >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n')
        rc = FILE_NEWLINES;
    else {
        if (len && buf[len - 1] == '\n')
            len--;
        size_t skip = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0; /* an editor's BOM */
        if (len > SECRET_FILE_MAX_BYTES)
            rc = FILE_TOOBIG;
        else if (len == skip)
            rc = FILE_EMPTY;
        else if (utf8_valid_prefix(buf + skip, len - skip) != len - skip)
            rc = FILE_NOT_UTF8;
        else
            rc = (*out = strndup(buf + skip, len - skip)) ? FILE_OK : FILE_NOMEM;
    }
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

    char *path;
    if (s->source[0] == '~') { /* "~" or "~/..." ("~user/" was refused when read) */
        const char *home = getenv("HOME");
        if (!home || !*home) {
            diag_error(d, s->at,
                       "password file %s starts with ~, but HOME is not set; give the full path",
                       s->source);
            return TF_OK;
        }
        path = text_printf("%s%s", home, s->source + 1);
    } else {
        path = s->source[0] == '/' ? strdup(s->source) : text_printf("%s%s", dir, s->source);
    }
    if (!path)
        return TF_ERR_NOMEM;
    mode_t mode = 0;
    gid_t gid = 0;
    switch (read_secret_file(path, &s->value, &mode, &gid)) {
    case FILE_NOMEM:
        free(path);
        return TF_ERR_NOMEM;
    case FILE_IO:
        diag_error(d, s->at, "cannot read password file %s: %s", path, strerror(errno));
        break;
    case FILE_NOT_TEXT:
        diag_error(d, s->at,
                   "password file %s is not a regular file holding text (a device, a "
                   "pipe, or a NUL byte inside); give the file that holds the password",
                   path);
        break;
    case FILE_TOOBIG:
        diag_error(d, s->at, "password file %s is larger than %d bytes; is it the right file?",
                   path, SECRET_FILE_MAX_BYTES);
        break;
    case FILE_CR:
        diag_error(d, s->at,
                   "password file %s holds a carriage return (\\r), as a file saved with "
                   "Windows line ends does, and it would be sent as part of the password; "
                   "remove it (dos2unix %s)",
                   path, path);
        break;
    case FILE_NEWLINES:
        diag_error(d, s->at,
                   "password file %s ends with more than one newline; only one is stripped, "
                   "the others would be sent as part of the password: remove the empty lines "
                   "at its end",
                   path);
        break;
    case FILE_EMPTY:
        diag_error(d, s->at, "password file %s is empty; it must hold the password", path);
        break;
    case FILE_NOT_UTF8:
        diag_error(d, s->at,
                   "password file %s is not UTF-8 text; a password is sent as a JSON string, "
                   "which must be",
                   path);
        break;
    case FILE_OK:
        if ((mode & 077) && !own_group_readable(mode, gid))
            diag_warn(d, s->at,
                      "password file %s can be read by group or others (mode %04o); "
                      "chmod 600 it",
                      path, (unsigned)mode);
        break;
    }
    free(path);
    return TF_OK;
}
