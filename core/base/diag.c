/* diag.c: collecting and printing diagnostics. */
#include "core/base/diag.h"
#include "core/base/text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct diag *diag_new(const char *file)
{
    struct diag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->file = strdup(file);
    if (!d->file) {
        free(d);
        return NULL;
    }
    return d;
}

void diag_free(struct diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++)
        free(d->items[i].message);
    free(d->items);
    free(d->file);
    free(d);
}

static void add(struct diag *d, enum diag_severity sev, struct tf_mark at, const char *fmt,
                va_list ap)
{
    if (sev == DIAG_ERROR)
        d->errors++; /* counted even when the text cannot be stored: the run must still fail */
    if (d->count == d->capacity) {
        size_t cap = d->capacity ? d->capacity * 2 : 16;
        struct diag_entry *items = realloc(d->items, cap * sizeof *items);
        if (!items) {
            d->out_of_memory = 1;
            return;
        }
        d->items = items;
        d->capacity = cap;
    }
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0) {
        d->out_of_memory = 1;
        return;
    }
    /* Messages quote inventory values: a newline or an escape sequence in one must not forge a
     * line or reach the terminal. */
    text_replace_controls(text);
    d->items[d->count] =
        (struct diag_entry){.severity = sev, .at = at, .message = text, .seq = d->count};
    d->count++;
}

void diag_error(struct diag *d, struct tf_mark at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, DIAG_ERROR, at, fmt, ap);
    va_end(ap);
}

void diag_warn(struct diag *d, struct tf_mark at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, DIAG_WARNING, at, fmt, ap);
    va_end(ap);
}

void diag_rewind(struct diag *d, size_t count)
{
    for (; d->count > count; d->count--) {
        struct diag_entry *e = &d->items[d->count - 1];
        if (e->severity == DIAG_ERROR)
            d->errors--;
        free(e->message);
    }
}

static int by_place(const void *a, const void *b)
{
    const struct diag_entry *x = a, *y = b;
    if (x->at.line != y->at.line)
        return x->at.line < y->at.line ? -1 : 1;
    if (x->at.column != y->at.column)
        return x->at.column < y->at.column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_print(const struct diag *d, FILE *out, int quiet)
{
    /* Sorted by place so that a reader can walk the file top to bottom. */
    size_t n = d->count;
    struct diag_entry *sorted = malloc(n ? n * sizeof *sorted : 1);
    if (sorted && n) {
        memcpy(sorted, d->items, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, by_place);
    }
    const struct diag_entry *list = sorted ? sorted : d->items;
    for (size_t i = 0; i < n; i++) {
        const struct diag_entry *e = &list[i];
        if (quiet && e->severity == DIAG_WARNING)
            continue;
        /* A bad value in defaults is found once per database that inherits it: say it once. */
        int repeated = 0;
        for (size_t j = i; j-- > 0 && list[j].at.line == e->at.line &&
                           list[j].at.column == e->at.column && !repeated;)
            repeated = !strcmp(list[j].message, e->message);
        if (e->at.line && repeated)
            continue;
        const char *kind = e->severity == DIAG_ERROR ? "error" : "warning";
        if (e->at.line)
            fprintf(out, "%s:%u:%u: %s: %s\n", d->file, e->at.line, e->at.column, kind, e->message);
        else
            fprintf(out, "%s: %s: %s\n", d->file, kind, e->message);
    }
    if (d->out_of_memory)
        fprintf(out, "%s: error: out of memory while collecting messages; some are missing\n",
                d->file);
    free(sorted);
}
