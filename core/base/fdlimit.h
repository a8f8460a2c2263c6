/* fdlimit.h: the open-file limit (RLIMIT_NOFILE) against the transfers a run keeps in flight:
 * each needs a socket (and, while its host name resolves, a socket pair), so -j 2000 under
 * `ulimit -n 1024` would fail targets with what looks like a network fault. */
#ifndef TOKENFLEET_FDLIMIT_H
#define TOKENFLEET_FDLIMIT_H

/* Descriptors one transfer may hold at once: its socket and the resolver's socket pair. */
#define FDLIMIT_PER_TRANSFER 3
/* Descriptors kept for everything else: standard streams, epoll, pipes, files being written. */
#define FDLIMIT_RESERVED 32

/* Raises the soft limit on open files to the hard limit (as much as an unprivileged process may
 * have). Returns the soft limit in force afterwards, or -1 when it cannot be read. */
long fdlimit_raise(void);

/* The most transfers that fit in limit open files (at least 1). */
long fdlimit_concurrency(long limit);

#endif
