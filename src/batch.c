/* batch.c - see batch.h. */
#define _GNU_SOURCE /* prctl's PR_SET_PDEATHSIG */
#include "batch.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A worker's answer for one job: one write under PIPE_BUF, so atomic, and
 * the answers of all workers can share one pipe. */
typedef struct answer {
    int job;
    int status;
    char why[sizeof ((batch_result *)0)->why];
} answer;

typedef struct worker {
    pid_t pid; /* 0: no process in this slot */
    int to;    /* write end of its job pipe (job numbers, one int each) */
    int job;   /* the job it is evaluating, -1 when idle */
} worker;

typedef struct pool {
    int n, nslots;
    worker *w;
    int answers[2]; /* the pipe of answers: read end, write end */
    int sigfd;      /* SIGTERM, SIGINT, SIGHUP and SIGCHLD, read as data */
    sigset_t old;   /* the mask to give back (and give to the workers) */
    struct sigaction old_pipe;
    pid_t self;
    batch_fn fn;
    void *ctx;
    const char *const *names;
    batch_result *results;
    double *start;
    int next, done, busy, stop, quiet, tty;
} pool;

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

/* The signals that stop a batch, and the workers' ends. */
static void stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGCHLD);
}

/* Job i is over: its outcome, and a line or the bar. */
static void finish(pool *p, int i, int status, const char *why)
{
    batch_result *r = &p->results[i];
    r->status = status;
    r->seconds = now() - p->start[i];
    snprintf(r->why, sizeof r->why, "%s", why ? why : "");
    p->done++;
    if (!p->quiet)
        progress(p->done, p->n, p->names[i], r, p->tty);
}

static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

/* In a worker: the parent's signals back, gone with the parent (a SIGKILL
 * to the parent must not leave workers committing on their own), then one
 * job after another until the parent closes the job pipe. */
static void worker_main(pool *p, int slot, int from)
{
    sigaction(SIGPIPE, &p->old_pipe, NULL);
    sigprocmask(SIG_SETMASK, &p->old, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != p->self)
        _exit(128 + SIGTERM);
    /* only its own ends: a job pipe held open by a sibling would never end */
    for (int k = 0; k < p->nslots; k++)
        if (p->w[k].to >= 0)
            close(p->w[k].to);
    close(p->answers[0]);
    close(p->sigfd);
    (void)slot;
    int job;
    while (read_full(from, &job, sizeof job) == 0) {
        answer a;
        memset(&a, 0, sizeof a);
        a.job = job;
        a.status = p->fn(p->ctx, job, a.why, sizeof a.why);
        fflush(NULL);
        if (write(p->answers[1], &a, sizeof a) != (ssize_t)sizeof a)
            _exit(3);
    }
    _exit(0);
}

/* A new worker in slot k; -1 if no process could be made. */
static int spawn(pool *p, int k)
{
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "planeval: cannot start a worker: %s\n", strerror(errno));
        return -1;
    }
    fflush(NULL); /* no buffered output may be duplicated into workers */
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "planeval: cannot start a worker: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[1]);
        worker_main(p, k, fds[0]);
    }
    close(fds[0]);
    p->w[k] = (worker){pid, fds[1], -1};
    return 0;
}

/* Hand the next jobs to idle workers (new ones in empty slots). */
static void dispatch(pool *p)
{
    for (int k = 0; k < p->nslots && p->next < p->n && !p->stop; k++) {
        worker *w = &p->w[k];
        if (w->pid == 0 && spawn(p, k) != 0)
            continue;
        if (w->job >= 0)
            continue;
        int job = p->next;
        if (write(w->to, &job, sizeof job) != (ssize_t)sizeof job)
            continue; /* a worker that just died: reaped with SIGCHLD */
        w->job = job;
        p->start[job] = now();
        p->next++;
        p->busy++;
    }
}

static worker *slot_of_job(pool *p, int job)
{
    for (int k = 0; k < p->nslots; k++)
        if (p->w[k].pid > 0 && p->w[k].job == job)
            return &p->w[k];
    return NULL;
}

/* Every answer already in the pipe (wait: block for one first). */
static void take_answers(pool *p, int wait)
{
    for (;;) {
        struct pollfd pf = {p->answers[0], POLLIN, 0};
        if (!wait && (poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLIN)))
            return;
        wait = 0;
        answer a;
        if (read_full(p->answers[0], &a, sizeof a) != 0)
            return;
        worker *w = slot_of_job(p, a.job);
        if (!w || a.job < 0 || a.job >= p->n)
            continue;
        w->job = -1;
        p->busy--;
        a.why[sizeof a.why - 1] = '\0';
        finish(p, a.job, a.status, a.why);
    }
}

/* Workers that ended: a job it held without answering ends with it. */
static void reap(pool *p)
{
    take_answers(p, 0); /* an answer written before the end counts */
    int wstatus;
    pid_t pid;
    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        for (int k = 0; k < p->nslots; k++) {
            worker *w = &p->w[k];
            if (w->pid != pid)
                continue;
            if (w->job >= 0) {
                int st = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                         : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 125;
                finish(p, w->job, st ? st : 125, NULL); /* 0 without an answer: unknown */
                p->busy--;
            }
            close(w->to);
            *w = (worker){0, -1, -1};
        }
    }
}

/* A stop signal: the workers end (each plan's commit is one rename, so a
 * plan is left with its previous or its new set), no job starts. */
static void stop_all(pool *p, int sig)
{
    p->stop = sig;
    for (int k = 0; k < p->nslots; k++)
        if (p->w[k].pid > 0)
            kill(p->w[k].pid, SIGTERM);
    for (int i = p->next; i < p->n; i++) {
        p->results[i].status = 128 + sig;
        snprintf(p->results[i].why, sizeof p->results[i].why, "not started: stopped by signal %d",
                 sig);
    }
    p->done += p->n - p->next;
    p->next = p->n;
}

static int live_workers(const pool *p)
{
    int k, live = 0;
    for (k = 0; k < p->nslots; k++)
        live += p->w[k].pid > 0;
    return live;
}

/* Wait for the next answer, end or signal. */
static void wait_event(pool *p)
{
    struct pollfd pf[2] = {{p->sigfd, POLLIN, 0}, {p->answers[0], POLLIN, 0}};
    if (poll(pf, 2, -1) < 0)
        return; /* EINTR: look again */
    if (pf[1].revents & POLLIN)
        take_answers(p, 1);
    if (pf[0].revents & POLLIN) {
        struct signalfd_siginfo si;
        if (read_full(p->sigfd, &si, sizeof si) != 0)
            return;
        int sig = (int)si.ssi_signo;
        if (sig == SIGCHLD)
            reap(p);
        else if (!p->stop)
            stop_all(p, sig);
    }
}

static void pool_close(pool *p)
{
    for (int k = 0; k < p->nslots; k++)
        if (p->w[k].pid > 0) {
            close(p->w[k].to); /* an idle worker reads the end and exits */
            int wstatus;
            while (waitpid(p->w[k].pid, &wstatus, 0) < 0 && errno == EINTR)
                ;
            if (p->w[k].job >= 0)
                finish(p, p->w[k].job, WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 125,
                       NULL);
        }
    /* the SIGCHLDs of those ends are pending; drop them before unblocking */
    struct signalfd_siginfo si;
    struct pollfd pf = {p->sigfd, POLLIN, 0};
    while (poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN) &&
           read_full(p->sigfd, &si, sizeof si) == 0)
        if ((int)si.ssi_signo != SIGCHLD && !p->stop)
            p->stop = (int)si.ssi_signo;
    close(p->sigfd);
    close(p->answers[0]);
    close(p->answers[1]);
    sigprocmask(SIG_SETMASK, &p->old, NULL);
    sigaction(SIGPIPE, &p->old_pipe, NULL);
    free(p->w);
    free(p->start);
}

int batch_run(int njobs, int n, const char *const *names, batch_fn fn, void *ctx,
              batch_result *results, int quiet)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.n = n;
    p.nslots = njobs < 1 ? 1 : njobs < n ? njobs : n > 0 ? n : 1;
    p.fn = fn;
    p.ctx = ctx;
    p.names = names;
    p.results = results;
    p.quiet = quiet;
    p.tty = !quiet && isatty(STDERR_FILENO);
    p.self = getpid();
    /* SIGTERM, SIGINT, SIGHUP and the workers' ends are read from a
     * descriptor, not taken by the default action: the parent then stops
     * its workers. A write to a worker that has just died fails (EPIPE)
     * instead of killing the parent. */
    sigset_t waitset;
    stop_signals(&waitset);
    sigprocmask(SIG_BLOCK, &waitset, &p.old);
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &p.old_pipe);
    p.sigfd = signalfd(-1, &waitset, SFD_CLOEXEC);
    if (p.sigfd < 0 || pipe(p.answers) != 0) {
        fprintf(stderr, "planeval: cannot start workers: %s\n", strerror(errno));
        if (p.sigfd >= 0)
            close(p.sigfd);
        sigprocmask(SIG_SETMASK, &p.old, NULL);
        sigaction(SIGPIPE, &p.old_pipe, NULL);
        for (int i = 0; i < n; i++)
            results[i].status = 126;
        return -1;
    }
    p.w = xcalloc((size_t)p.nslots, sizeof *p.w);
    for (int k = 0; k < p.nslots; k++)
        p.w[k] = (worker){0, -1, -1};
    p.start = xcalloc((size_t)(n ? n : 1), sizeof *p.start);
    int rc = 0;
    while (p.done < n) {
        dispatch(&p);
        if (p.busy == 0 && live_workers(&p) == 0 && p.next < n) {
            /* not one worker could be started */
            for (int i = p.next; i < n; i++)
                results[i].status = 126;
            p.done += n - p.next;
            p.next = n;
            rc = -1;
            break;
        }
        if (p.busy == 0 && (p.next >= n || p.stop))
            break;
        wait_event(&p);
    }
    pool_close(&p);
    return p.stop ? p.stop : rc;
}
