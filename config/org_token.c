/* org_token.c: reading and checking discover's organization token. */
#include "config/org_token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/app_token.h"
#include "core/base/text.h"

/* Reads at most ORG_TOKEN_FILE_MAX + 1 bytes of path into buf; returns the length, or -1 with
 * errno set (EFBIG: larger than that; EINVAL: not a regular file). */
static ssize_t read_small(const char *path, char *buf)
{
    /* O_NONBLOCK: a FIFO named by mistake must not hang discover. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    ssize_t len = -1;
    if (fstat(fd, &st) != 0)
        goto out;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto out;
    }
    len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, (size_t)(ORG_TOKEN_FILE_MAX + 1 - len));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            len = -1;
            break;
        }
        if (n == 0)
            break;
        len += n;
        if (len > ORG_TOKEN_FILE_MAX) {
            errno = EFBIG;
            len = -1;
            break;
        }
    }
out:;
    int saved = errno;
    close(fd);
    errno = saved;
    return len;
}

/* The checks every source shares: the value (len bytes, no NUL) is one application token. */
static enum tf_err judge(const char *source, const char *value, size_t len, char **token,
                         char **error)
{
    const char *why = NULL;
    if (len == 0)
        why = "is empty";
    else if (memchr(value, '\n', len) || memchr(value, '\r', len))
        why = "holds more than one line (or a carriage return); give the token alone, on one "
              "line";
    else if (strlen(value) != len || !app_token_is_valid(value))
        why = "does not hold an application token (" APP_TOKEN_SHAPE "); copy the organization "
              "token's \"token\" value from Astra's Tokens page";
    if (why) {
        *error = text_printf("%s %s", source, why);
        return *error ? TF_ERR_USAGE : TF_ERR_NOMEM;
    }
    *token = strndup(value, len);
    return *token ? TF_OK : TF_ERR_NOMEM;
}

enum tf_err org_token_read(const char *env_name, const char *path, char **token, char **error)
{
    *token = NULL;
    *error = NULL;
    if (env_name) {
        char *source = text_printf("--org-token-env %s:", env_name);
        const char *v = getenv(env_name);
        enum tf_err rc = TF_ERR_NOMEM;
        if (source && !v) {
            *error = text_printf("%s the variable is not set; export it before running "
                                 "tokenfleet",
                                 source);
            rc = *error ? TF_ERR_USAGE : TF_ERR_NOMEM;
        } else if (source) {
            rc = judge(source, v, strlen(v), token, error);
        }
        free(source);
        return rc;
    }
    char buf[ORG_TOKEN_FILE_MAX + 1];
    char *source = text_printf("--org-token-file %s:", path);
    if (!source)
        return TF_ERR_NOMEM;
    ssize_t len = read_small(path, buf);
    enum tf_err rc;
    if (len < 0) {
        *error = errno == EFBIG ? text_printf("%s larger than %d bytes; is it the token's file?",
                                              source, ORG_TOKEN_FILE_MAX)
                 : errno == EINVAL
                     ? text_printf("%s not a regular file; give the file holding the token", source)
                     : text_printf("%s cannot be read: %s", source, strerror(errno));
        rc = *error ? TF_ERR_USAGE : TF_ERR_NOMEM;
    } else {
        size_t n = (size_t)len;
        if (n && buf[n - 1] == '\n') /* what an editor or echo leaves */
            n--;
        buf[n] = '\0';
        rc = judge(source, buf, n, token, error);
    }
    explicit_bzero(buf, sizeof buf);
    free(source);
    return rc;
}
