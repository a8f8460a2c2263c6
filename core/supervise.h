/* supervise.h: exec --keep-alive: tokenfleet stays its command's parent. It starts the command
 * with the tokens in its environment (child_env.h), passes signals on to it, keeps the tokens
 * alive every interval (keepalive.h), restarts the command with the new environment when a token
 * had to be replaced, and ends when the command ends.
 *
 * The command stays in tokenfleet's process group, so that it is in a terminal's foreground
 * with tokenfleet: it can read the terminal, and Ctrl-Z stops both. The terminal's Ctrl-C,
 * Ctrl-\ and hang-up reach the whole foreground group, the command included, so a signal the
 * kernel sent (si_code SI_KERNEL) is not passed on: the command gets it once, not twice. A
 * signal sent to tokenfleet alone (kill PID, docker stop, systemd's KillMode=mixed) is passed
 * on; one sent to the whole group with kill(2) (kill -TERM -PGID, systemd's default
 * KillMode=control-group) reaches the command twice, which no parent can tell apart. A signal
 * the command sent to tokenfleet itself is not sent back to it. */
#ifndef TOKENFLEET_SUPERVISE_H
#define TOKENFLEET_SUPERVISE_H

#include "core/base/msg.h"
#include "core/child_env.h"
#include "core/driver.h"
#include "core/keepalive.h"

/* How long a command being restarted has after SIGTERM before SIGKILL. */
#define SUPERVISE_KILL_AFTER_MS 10000

struct supervise_options {
    char *const *command;         /* argv, NULL-terminated; command[0] is looked up in PATH */
    struct child_env_request env; /* base, targets and keep_password_env of the command's
                                     environment; the tokens are those ka holds */
    struct driver_options driver; /* each cycle's requests; its stop_fd is supervise's own */
    int stop_fd;                  /* signals_install(SIGNALS_PARENT)'s, which the caller
                                     installed: every signal is an event on signals_event_fd() */
    long interval_ms;             /* between two cycles */
    long kill_after_ms;           /* SIGTERM, then SIGKILL after this long, on a restart */
    keepalive_final_fn on_final;  /* each target's event of each cycle (a log line); may be
                                     NULL */
    void *on_final_ctx;
    const struct tf_msg *msg; /* one line per start, restart and end of the command */
};

/* How supervise_run ended. */
enum supervise_end {
    SUPERVISE_EXITED,       /* the command ended: *wait_status says how (waitpid's) */
    SUPERVISE_NOT_FOUND,    /* command[0] was not found (printed) */
    SUPERVISE_NOT_RUNNABLE, /* command[0] could not be run: not executable... (printed) */
    SUPERVISE_FAILED,       /* tokenfleet itself failed: out of memory, no process (printed) */
};

/* Starts o->command with the tokens ka holds (every target of o->env.targets must hold one) and
 * supervises it until it ends, running a keep-alive cycle on ka every o->interval_ms. A token
 * that was replaced restarts the command (SIGTERM, SIGKILL after o->kill_after_ms, then a new
 * process with the new environment) once every target holds a token again, unless a SIGINT or
 * SIGTERM came first: then tokenfleet ends with the command. Returns how it ended, with
 * *wait_status set for SUPERVISE_EXITED. The command's environment is wiped and freed as soon as
 * it is started. */
enum supervise_end supervise_run(const struct supervise_options *o, struct keepalive *ka,
                                 int *wait_status);

#endif
