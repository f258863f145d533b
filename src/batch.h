/*
 * batch.h - running many plans at once in a pool of worker processes.
 *
 * -j N starts N workers (fewer if there are fewer plans); each evaluates one
 * plan after another, as the parent hands them out, so a worker's start-up
 * (the process, the fonts of the PDFs) is paid once per worker, not once per
 * plan. A plan that crashes takes only its worker down: the plan is reported
 * with the signal, a new worker takes its place, the others go on. Workers
 * inherit the loaded dictionary and catalogue (copy-on-write).
 */
#ifndef PLANEVAL_BATCH_H
#define PLANEVAL_BATCH_H

#include <stddef.h>

/* Runs in a worker for job i; its return value is the job's exit status
 * (0-127, or 128 + a signal number). On failure it may say why in why (whysize bytes, NUL-terminated):
 * the parent gets it with the status, for the summary. */
typedef int (*batch_fn)(void *ctx, int i, char *why, size_t whysize);

typedef struct batch_result {
    int status;      /* exit status, or 128 + signal number if its worker was killed */
    double seconds;  /* wall time */
    char why[256];   /* the job's reason, "" if it gave none */
} batch_result;

/*
 * Run jobs 0..n-1 with at most njobs at a time. names[i] labels job i in
 * progress output: a bar on a terminal, one plain line per finished job
 * otherwise (cron logs). results[i] receives each outcome. Returns 0, or -1
 * if no worker could be started for the remaining jobs (they are marked
 * 126), or the number of the signal (SIGTERM, SIGINT, SIGHUP) that stopped
 * the batch: the workers were sent SIGTERM and waited for, the jobs not
 * started are marked 128 + that number.
 */
int batch_run(int njobs, int n, const char *const *names, batch_fn fn, void *ctx,
              batch_result *results, int quiet);

#endif
