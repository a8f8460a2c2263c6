/* msg.c: errorf/warnf/infof/verbosef. */
#include "core/base/msg.h"

#include <stdarg.h>

#include "core/base/clock.h"

static void emit(const struct tf_msg *m, const char *prefix, const char *fmt, va_list ap)
{
    FILE *out = m && m->out ? m->out : stderr;
    if (m && m->stamp) {
        char when[32];
        clock_format_utc(clock_wall(), when);
        fprintf(out, "%s ", when);
    }
    fputs(prefix, out);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
}

void errorf(const struct tf_msg *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(m, "tokenfleet: error: ", fmt, ap);
    va_end(ap);
}

void warnf(const struct tf_msg *m, const char *fmt, ...)
{
    if (m && m->verbosity < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(m, "tokenfleet: warning: ", fmt, ap);
    va_end(ap);
}

void infof(const struct tf_msg *m, const char *fmt, ...)
{
    if (m && m->verbosity < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(m, "", fmt, ap);
    va_end(ap);
}

void verbosef(const struct tf_msg *m, const char *fmt, ...)
{
    if (!m || m->verbosity < 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(m, "tokenfleet: ", fmt, ap);
    va_end(ap);
}
