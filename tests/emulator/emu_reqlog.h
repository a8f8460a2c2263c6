/* emu_reqlog: the request log, one tab-separated line per answered request. */
#ifndef EMU_REQLOG_H
#define EMU_REQLOG_H

#include <stdio.h>

/* Thread-safe: lines are written whole under a mutex and flushed at once. */
struct emu_reqlog;

/* Opens PATH for appending. Returns a new log (close it with emu_reqlog_close), or NULL after
 * printing "PATH: why" to ERR. */
struct emu_reqlog *emu_reqlog_open(const char *path, FILE *err);

/*
 * Writes "host<TAB>method<TAB>path<TAB>request-id<TAB>status\n" and flushes it. A NULL field is
 * written as "-"; control bytes and '\' inside a field are written as "\xHH" so that a field can
 * never break the line. LOG NULL is a no-op.
 */
void emu_reqlog_write(struct emu_reqlog *log, const char *host, const char *method,
                      const char *path, const char *request_id, unsigned int status);

/* Closes LOG; NULL is a no-op. */
void emu_reqlog_close(struct emu_reqlog *log);

#endif
