/* proc.h: short commands run beside a long-running loop (watch's --on-change): each through
 * /bin/sh -c with variables added to the environment (values never pasted into the command
 * text), its standard output and error printed line by line under a label, killed when it runs
 * longer than a timeout, at most `max` at once (the others wait their turn, in order). A
 * failure is printed; it never stops the caller. */
#ifndef TOKENFLEET_PROC_H
#define TOKENFLEET_PROC_H

#include <poll.h>
#include <stddef.h>

#include "core/base/msg.h"

/* Most commands waiting for their turn; more are dropped (printed). */
#define PROC_MAX_PENDING 10000

struct proc_pool;

/* Returns a new pool running command (borrowed: it must outlive the pool), or NULL when out of
 * memory. Free with proc_pool_free. */
struct proc_pool *proc_pool_new(const char *command, size_t max, long timeout_ms,
                                const struct tf_msg *msg);

/* Kills (SIGKILL to its process group) and reaps whatever still runs, and frees p.
 * proc_pool_free(NULL) is a no-op. */
void proc_pool_free(struct proc_pool *p);

/* Queues a run of the command, labelled label in what is printed, with env ("NAME=value"
 * strings, n of them, copied) added to the environment. Returns 0, or -1 when it was dropped
 * (out of memory, or too many waiting; printed). */
int proc_pool_add(struct proc_pool *p, const char *label, const char *const *env, size_t n);

/* Adds to fds (room for cap) the pipes of the commands that run, returns how many it added,
 * and lowers *timeout_ms to when the next one is due to be killed (or a queued one can start). */
size_t proc_pool_pollfds(struct proc_pool *p, struct pollfd *fds, size_t cap, int *timeout_ms);

/* Does what is due: prints the output that arrived, reaps the commands that ended (a non-zero
 * exit or a signal is printed), kills those past their timeout, starts queued ones. */
void proc_pool_service(struct proc_pool *p);

/* Commands running or waiting. */
size_t proc_pool_busy(const struct proc_pool *p);

#endif
