/* emu_faults: the fault rules (--faults FILE): parsing, matching, and each rule's step counters. */
#ifndef EMU_FAULTS_H
#define EMU_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a step does to one request. */
enum emu_fault_action {
    EMU_FAULT_OK,            /* the normal answer */
    EMU_FAULT_STATUS,        /* a gateway error page: STATUS, text/html */
    EMU_FAULT_STALL,         /* read the request, never answer */
    EMU_FAULT_RESET,         /* 201 headers and part of the body, then a TCP reset */
    EMU_FAULT_TRUNCATE,      /* 201 whose Content-Length exceeds the body sent, then close */
    EMU_FAULT_HTML201,       /* 201 with a text/html page */
    EMU_FAULT_HUGE,          /* 201 with a 10 MiB JSON body */
    EMU_FAULT_EMPTY201,      /* 201 with an empty body */
    EMU_FAULT_TOKEN_NEWLINE, /* 201 {"authToken":"abc\ndef"} */
    EMU_FAULT_TOKEN_QUOTES,  /* 201 {"authToken":"ab\"c'd"} */
    EMU_FAULT_TOKEN_SHELL,   /* 201 {"authToken":"$(touch /tmp/pwned)`echo x`;x=1"} */
    EMU_FAULT_TOKEN_EMPTY,   /* 201 {"authToken":""} */
    EMU_FAULT_TOKEN_NUMBER,  /* 201 {"authToken":12345} */
    EMU_FAULT_DRIP,          /* 201 with a normal token body, one byte a second */
};

/* How an EMU_FAULT_STATUS answer carries Retry-After. */
enum emu_retry_after {
    EMU_RETRY_AFTER_NONE,    /* no Retry-After header */
    EMU_RETRY_AFTER_SECONDS, /* Retry-After: N */
    EMU_RETRY_AFTER_DATE,    /* Retry-After: the IMF-fixdate N seconds after the answer */
};

/* One step of a rule; a zeroed step is plain "ok". */
struct emu_fault_step {
    unsigned int delay_ms;            /* wait this long (ms) before acting; 0: none */
    enum emu_fault_action action;     /* what to answer */
    unsigned int status;              /* EMU_FAULT_STATUS: 408, 429, 500, 502, 503 or 504 */
    enum emu_retry_after retry_after; /* EMU_FAULT_STATUS: the Retry-After form */
    unsigned int retry_after_s;       /* seconds for RETRY_AFTER */
};

/* Read-only rules plus per-(rule, host) counters under a mutex: safe from any thread. */
struct emu_faults;

/*
 * Loads PATH: "MATCH STEP[,STEP...][*]" a line, '#' comments and blank lines skipped (the format
 * is in README.md). Returns a new rule set (free it with emu_faults_free), or NULL after printing
 * "PATH:LINE: why" (or "PATH: why") to ERR.
 */
struct emu_faults *emu_faults_load(const char *path, FILE *err);

/* Frees FS; NULL is a no-op. */
void emu_faults_free(struct emu_faults *fs);

/* Returns how many rules FS holds. */
size_t emu_faults_count(const struct emu_faults *fs);

/*
 * Looks for the first host rule whose glob matches HOST (the Host header as sent, port and all;
 * NULL when absent). Returns 1 with *STEP set to that rule's next step for this host (consumed),
 * 0 when no host rule matches (or FS is NULL), -1 when the step cannot be counted (out of memory
 * or the counter table is full; a message went to stderr).
 */
int emu_faults_match_host(struct emu_faults *fs, const char *host, struct emu_fault_step *step);

/*
 * Looks for the first user rule naming USER (ULEN bytes, may hold NULs) and consumes its next step
 * for HOST (as for emu_faults_match_host). Returns 1 with *STEP set, 0 when none matches, -1 as
 * above.
 */
int emu_faults_match_user(struct emu_faults *fs, const char *host, const char *user, size_t ulen,
                          struct emu_fault_step *step);

/* Returns true when FS has at least one user rule, so the caller may skip the lookup. */
bool emu_faults_has_user_rules(const struct emu_faults *fs);

#endif
