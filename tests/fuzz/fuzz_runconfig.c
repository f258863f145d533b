/*
 * fuzz_runconfig.c - libFuzzer harness for the run configuration
 * (`planeval run --config FILE`, or indicators/run.yaml; src/runconfig.h).
 *
 * One input is one configuration file, written to a scratch file three
 * directories deep (so that `..` in its paths has somewhere to go) and read
 * by run_config_load. A configuration that loads must keep runconfig.h's
 * promises, checked here (a broken one aborts, which libFuzzer reports):
 * stage and charts are one of their words or absent, year in 1949..2100 or
 * 0, jobs in 1..256 or 0, on_track and at_risk in (0, 1] or absent with
 * at_risk <= on_track, every directory and plan file joined and normalised
 * (no "//", no "/./", no "dir/.." left, not empty). run_config_join is then
 * tried on each path against a relative and an absolute configuration path.
 *
 * Seeds: indicators/run.yaml, the run configurations of docs/ and tests/
 * (tests/fuzz/mkseeds.sh). Dictionary: tests/fuzz/runconfig.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz_common.h"
#include "runconfig.h"
#include "util.h"

static char *cfg_path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_scratch("runconfig");
    char *dir = fuzz_scratch_path("a/x");
    free(dir);
    cfg_path = fuzz_scratch_path("a/run.yaml");
    return 0;
}

static int one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

/* A path as run_config_join leaves it: normalised, never empty. */
static void check_path(const char *what, const char *p)
{
    if (!p)
        return;
    if (!*p)
        fuzz_die("%s: an empty path was accepted", what);
    if (strstr(p, "//") || strstr(p, "/./"))
        fuzz_die("%s: '%s' is not normalised", what, p);
    for (const char *s = strstr(p, "/.."); s; s = strstr(s + 1, "/.."))
        if ((s[3] == '/' || s[3] == '\0') && s != p) {
            /* "dir/.." must be gone; only leading ".." components may stay */
            const char *prev = s - 1;
            while (prev > p && *prev != '/')
                prev--;
            const char *comp = *prev == '/' ? prev + 1 : prev;
            if (!(s - comp == 2 && strncmp(comp, "..", 2) == 0))
                fuzz_die("%s: '%s' keeps a 'dir/..'", what, p);
        }
    /* joining again against both kinds of configuration path */
    char *a = run_config_join("run.yaml", p);
    char *b = run_config_join("/etc/planeval/run.yaml", p);
    if (!*a || !*b)
        fuzz_die("%s: joining '%s' gave an empty path", what, p);
    free(a);
    free(b);
}

static void check_config(const run_config *c)
{
    static const char *const stages[] = {"auto", "annual", "midterm", "final", NULL};
    static const char *const charts[] = {"none", "png", "svg", "all", "png+svg", NULL};
    if (c->stage && !one_of(c->stage, stages))
        fuzz_die("stage '%s' accepted", c->stage);
    if (c->charts && !one_of(c->charts, charts))
        fuzz_die("charts '%s' accepted", c->charts);
    if (c->year != 0 && (c->year < 1949 || c->year > 2100))
        fuzz_die("year %d accepted", c->year);
    if (c->jobs < 0 || c->jobs > 256)
        fuzz_die("jobs %d accepted", c->jobs);
    if ((c->on_track >= 0 && !(c->on_track > 0 && c->on_track <= 1)) ||
        (c->at_risk >= 0 && !(c->at_risk > 0 && c->at_risk <= 1)))
        fuzz_die("a probability outside (0, 1] accepted");
    if (c->on_track > 0 && c->at_risk > c->on_track)
        fuzz_die("at_risk above on_track accepted");
    check_path("indicators", c->indicators);
    check_path("data", c->data);
    check_path("templates", c->templates);
    check_path("out", c->out);
    for (int i = 0; i < c->nplans; i++) {
        if (!c->plans[i] || !*c->plans[i])
            fuzz_die("plan %d: empty", i);
        if (strchr(c->plans[i], '/'))
            check_path("plans", c->plans[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(cfg_path, data, size);
    diag_list d = {0};
    run_config c;
    if (run_config_load(&c, cfg_path, &d) == 0)
        check_config(&c);
    run_config_free(&c);
    diag_free(&d);
    return 0;
}
