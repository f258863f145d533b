/*
 * batch.h - running many plans at once, each in its own process.
 *
 * A plan that crashes or fails takes only its own process down; the others
 * go on, and the summary says which failed and why. Children inherit the
 * loaded dictionary and catalogue (copy-on-write), so only per-plan work is
 * repeated.
 */
#ifndef PLANEVAL_BATCH_H
#define PLANEVAL_BATCH_H

#include <stddef.h>

/* Runs in the child for job i; its return value is the child's exit status.
 * On failure it may say why in why (whysize bytes, NUL-terminated): the
 * parent gets it through a pipe, for the summary. */
typedef int (*batch_fn)(void *ctx, int i, char *why, size_t whysize);

typedef struct batch_result {
    int status;      /* exit status, or 128 + signal number if it was killed */
    double seconds;  /* wall time */
    char why[256];   /* the child's reason, "" if it gave none */
} batch_result;

/*
 * Run jobs 0..n-1 with at most njobs at a time. names[i] labels job i in
 * progress output: a bar on a terminal, one plain line per finished job
 * otherwise (cron logs). results[i] receives each outcome. Returns 0, or -1
 * if a process could not be started (the remaining jobs are marked 126), or
 * the number of the signal (SIGTERM, SIGINT, SIGHUP) that stopped the batch:
 * the running workers were sent SIGTERM and waited for, the jobs not started
 * are marked 128 + that number.
 */
int batch_run(int njobs, int n, const char *const *names, batch_fn fn, void *ctx,
              batch_result *results, int quiet);

#endif
