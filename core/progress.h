/* progress.h: what a person at a terminal sees during and after a run: a live progress line
 * (done/total, ok, failed, rate, time left) for runs longer than a second (the table at the end
 * is summary.h's). Colour only on a terminal and never with NO_COLOR. Nothing of this when
 * stderr is not a terminal: the caller prints its one-line summary instead. */
#ifndef TOKENFLEET_PROGRESS_H
#define TOKENFLEET_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "core/result.h"

struct progress {
    FILE *out; /* stderr */
    int live;  /* draw the progress line (a terminal, not -q, not -v) */
    int table; /* print the results table at the end (a terminal, not -q) */
    int color; /* ANSI colours allowed */
    size_t total, done, ok;
    int64_t start_ms; /* monotonic */
    int64_t drawn_ms; /* when the line was last drawn; 0 = not shown */
};

/* Sets p up for a run of total targets printing to out: the live line only when out is a
 * terminal and verbosity is 0 (-q and -v turn it off), the table on a terminal unless -q;
 * colour also needs NO_COLOR unset or empty. */
void progress_init(struct progress *p, FILE *out, size_t total, int verbosity);

/* Counts one finished target; redraws the line at most ten times a second, from the first
 * second of the run on. */
void progress_done(struct progress *p, enum tf_status status);

/* Redraws the line when it is due, so that it moves (rate, time left) while nothing finishes. */
void progress_tick(struct progress *p);

/* Erases the progress line (if it was drawn). */
void progress_clear(struct progress *p);

/* The ANSI sequence that colours a status (green ok, red otherwise), or "" without colour. */
const char *progress_paint(const struct progress *p, enum tf_status s);
/* The ANSI sequence that ends a colour, or "" without colour. */
const char *progress_reset(const struct progress *p);

#endif
