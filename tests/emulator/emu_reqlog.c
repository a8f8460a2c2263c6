/* emu_reqlog: writing the request log that tests read while the emulator runs. */
#include "emu_reqlog.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct emu_reqlog {
    pthread_mutex_t lock; /* one line at a time */
    FILE *f;              /* opened for appending */
    char *path;           /* for the one message about a failed write */
    bool write_failed;    /* reported once, then kept quiet */
};

struct emu_reqlog *emu_reqlog_open(const char *path, FILE *err)
{
    struct emu_reqlog *log = calloc(1, sizeof *log);
    if (log == NULL || (log->path = strdup(path)) == NULL) {
        fprintf(err, "%s: out of memory\n", path);
        goto fail;
    }
    log->f = fopen(path, "a");
    if (log->f == NULL) {
        fprintf(err, "%s: %s\n", path, strerror(errno));
        goto fail;
    }
    if (pthread_mutex_init(&log->lock, NULL) != 0) {
        fprintf(err, "%s: cannot create a mutex\n", path);
        fclose(log->f);
        goto fail;
    }
    return log;
fail:
    if (log != NULL)
        free(log->path);
    free(log);
    return NULL;
}

static void put_field(FILE *f, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (s == NULL) {
        fputc('-', f);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\') {
            fputc('\\', f);
            fputc('x', f);
            fputc(hex[*p >> 4], f);
            fputc(hex[*p & 0xf], f);
        } else {
            fputc(*p, f);
        }
    }
}

void emu_reqlog_write(struct emu_reqlog *log, const char *host, const char *method,
                      const char *path, const char *request_id, unsigned int status)
{
    if (log == NULL)
        return;
    pthread_mutex_lock(&log->lock);
    put_field(log->f, host);
    fputc('\t', log->f);
    put_field(log->f, method);
    fputc('\t', log->f);
    put_field(log->f, path);
    fputc('\t', log->f);
    put_field(log->f, request_id);
    fprintf(log->f, "\t%u\n", status);
    if ((fflush(log->f) != 0 || ferror(log->f)) && !log->write_failed) {
        log->write_failed = true;
        fprintf(stderr, "stargate-emulator: %s: cannot write the request log: %s\n", log->path,
                strerror(errno));
    }
    pthread_mutex_unlock(&log->lock);
}

void emu_reqlog_close(struct emu_reqlog *log)
{
    if (log == NULL)
        return;
    fclose(log->f);
    pthread_mutex_destroy(&log->lock);
    free(log->path);
    free(log);
}
