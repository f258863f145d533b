/* batch.c - see batch.h. */
#define _GNU_SOURCE /* prctl's PR_SET_PDEATHSIG */
#include "batch.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *status_word(int status)
{
    switch (status) {
    case 0: return "ok";
    case 1: return "errors in definitions or data";
    case 3: return "results could not be written";
    case 10: return "unchanged, skipped";
    case 128 + SIGTERM: return "stopped";
    default: return status >= 128 ? "crashed" : "failed";
    }
}

static void progress(int done, int n, const char *name, const batch_result *r, int tty)
{
    if (tty) {
        int width = 30, filled = n ? done * width / n : width;
        fprintf(stderr, "\r[");
        for (int i = 0; i < width; i++)
            fputc(i < filled ? '#' : '.', stderr);
        fprintf(stderr, "] %d/%d %-40.40s", done, n, name);
        if (done == n)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "planeval: [%d/%d] %s: %s (%.2f s)\n", done, n, name,
                status_word(r->status), r->seconds);
    }
    fflush(stderr);
}

/* The signals that stop a batch: the parent waits for them with SIGCHLD. */
static void stop_signals(sigset_t *set, int with_child)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    if (with_child)
        sigaddset(set, SIGCHLD);
}

/* In a new child: the parent's signals back, and gone with the parent (a
 * SIGKILL to the parent must not leave workers committing on their own). */
static void child_signals(const sigset_t *old, pid_t parent)
{
    sigprocmask(SIG_SETMASK, old, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(128 + SIGTERM);
}

/* Record the end of the job whose process was pid. */
static void reap(pid_t pid, int wstatus, int n, pid_t *pids, int *reason, const double *start,
                 batch_result *results, const char *const *names, int *running, int *done,
                 int quiet, int tty)
{
    for (int i = 0; i < n; i++) {
        if (pids[i] != pid)
            continue;
        results[i].status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                            : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 125;
        results[i].seconds = now() - start[i];
        results[i].why[0] = '\0';
        if (reason[i] >= 0) {
            ssize_t got = read(reason[i], results[i].why, sizeof results[i].why - 1);
            results[i].why[got > 0 ? got : 0] = '\0';
            close(reason[i]);
            reason[i] = -1;
        }
        pids[i] = 0;
        (*running)--;
        (*done)++;
        if (!quiet)
            progress(*done, n, names[i], &results[i], tty);
        return;
    }
}

int batch_run(int njobs, int n, const char *const *names, batch_fn fn, void *ctx,
              batch_result *results, int quiet)
{
    if (njobs < 1)
        njobs = 1;
    pid_t *pids = xcalloc((size_t)(n ? n : 1), sizeof(pid_t));
    int *reason = xcalloc((size_t)(n ? n : 1), sizeof(int)); /* read end of job i's pipe */
    double *start = xcalloc((size_t)(n ? n : 1), sizeof(double));
    for (int i = 0; i < n; i++)
        reason[i] = -1;
    int next = 0, running = 0, done = 0, rc = 0, stop = 0;
    int tty = !quiet && isatty(STDERR_FILENO);
    /* SIGTERM, SIGINT and SIGHUP are waited for with the children's ends,
     * not taken by the default action: the parent then stops its workers. */
    sigset_t waitset, old;
    stop_signals(&waitset, 1);
    sigprocmask(SIG_BLOCK, &waitset, &old);
    pid_t self = getpid();
    fflush(NULL); /* no buffered output may be duplicated into children */
    while (done < n) {
        while (running < njobs && next < n && !stop) {
            int fds[2];
            if (pipe(fds) != 0)
                fds[0] = fds[1] = -1; /* no reason then, but the job still runs */
            pid_t pid = fork();
            if (pid < 0) {
                if (fds[0] >= 0) {
                    close(fds[0]);
                    close(fds[1]);
                }
                fprintf(stderr, "planeval: cannot start a process: %s\n", strerror(errno));
                for (int i = next; i < n; i++)
                    results[i].status = 126;
                done += n - next;
                next = n;
                rc = -1;
                break;
            }
            if (pid == 0) {
                child_signals(&old, self);
                char why[sizeof results[0].why];
                why[0] = '\0';
                if (fds[0] >= 0)
                    close(fds[0]);
                int status = fn(ctx, next, why, sizeof why);
                fflush(NULL);
                /* One write under PIPE_BUF: atomic, and the pipe has room. */
                if (fds[1] >= 0 && why[0] && write(fds[1], why, strlen(why)) < 0)
                    status = status ? status : 3;
                _exit(status & 0x7f);
            }
            if (fds[1] >= 0)
                close(fds[1]);
            reason[next] = fds[0];
            pids[next] = pid;
            start[next] = now();
            next++;
            running++;
        }
        if (running == 0)
            break;
        int wstatus;
        pid_t pid = waitpid(-1, &wstatus, WNOHANG);
        if (pid > 0) {
            reap(pid, wstatus, n, pids, reason, start, results, names, &running, &done, quiet,
                 tty);
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        int sig = sigwaitinfo(&waitset, NULL);
        if (sig > 0 && sig != SIGCHLD && !stop) {
            /* Stop: the workers end (each plan's commit is one rename, so
             * a plan is left with its previous or its new set), none start. */
            stop = sig;
            for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
            for (int i = next; i < n; i++) {
                results[i].status = 128 + sig;
                snprintf(results[i].why, sizeof results[i].why, "not started: stopped by signal %d",
                         sig);
            }
            done += n - next;
            next = n;
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (int i = 0; i < n; i++)
        if (reason[i] >= 0)
            close(reason[i]);
    free(pids);
    free(reason);
    free(start);
    return stop ? stop : rc;
}
