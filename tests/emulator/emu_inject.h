/* emu_inject: the answers a fault step sends instead of Stargate's: gateway error pages, malformed
 * 201s, and the content readers that cut, reset, bloat or drip a body. */
#ifndef EMU_INJECT_H
#define EMU_INJECT_H

#include <microhttpd.h>

#include "emu_faults.h"
#include "emu_sched.h"

/* Bytes in the body of a "huge" answer: 10 MiB. */
#define EMU_INJECT_HUGE_SIZE (10u * 1024u * 1024u)

/*
 * Builds the response for STEP's action on CONN: any action but EMU_FAULT_OK and EMU_FAULT_STALL
 * (STEP's delay is the caller's business). SCHED paces a drip (it suspends CONN between bytes).
 * Sets *STATUS to the status to queue it with. Returns a new response (the caller queues it and
 * destroys its reference), or NULL on ENOMEM.
 */
struct MHD_Response *emu_inject_response(const struct emu_fault_step *step,
                                         struct MHD_Connection *conn, struct emu_sched *sched,
                                         unsigned int *status);

#endif
