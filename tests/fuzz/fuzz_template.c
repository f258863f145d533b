/*
 * fuzz_template.c - libFuzzer harness for the template loaders
 * (the YAML files of templates/).
 *
 * One input is one template file. It is written to a scratch file and read
 * as both kinds of template planeval has:
 *
 *   1. rtpl_load (report.yaml, brief.yaml, findings.yaml, changes.yaml), with
 *      the placeholder names of the real renderers and with none allowed;
 *      a template that loads is then queried as the renderers do: the
 *      sections and their usual keys (rtpl_count, rtpl_has, rtpl_get,
 *      rtpl_line, rtpl_require) and every text expanded (rtpl_expand) with
 *      all placeholders set, then with none set (each missing one an error);
 *   2. labels_load (labels.yaml, charts.yaml, workbook.yaml, collect.yaml,
 *      comparison.yaml), then label() and labels_require() on the sections
 *      of the real labels.yaml.
 *
 * Seeds: every file of templates/, whole and cut section by section
 * (tests/fuzz/mkseeds.sh). Dictionary: tests/fuzz/template.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz_common.h"
#include "labels.h"
#include "report_tpl.h"
#include "util.h"

/* Placeholder names of the renderers (a sample of pdf.c's and findings.c's). */
static const char *const known_vars[] = {
    "plan_title", "plan_id", "region_name", "region", "stage", "eval_year", "date", "page",
    "pages", "no", "ano", "status", "n", "indicator", "id", "unit", "target", "current", "gap",
    "year", "value", "from", "to", "name", "note", "count", "probability", "reason", NULL};

/* Keys the renderers look up under each section or at the top. */
static const char *const section_keys[] = {"kind", "heading", "title", "subtitle", "body",
                                           "intro", "note", "empty", "caption", NULL};
static const char *const top_keys[] = {"document.file_title", "document.subject",
                                       "document.footer", "document.header_left",
                                       "fonts.body", "fonts.heading", "words.status.met",
                                       NULL};
static const char *const label_sections[] = {"status", "stage", "progress", "op", "kind",
                                             "sheet", "col", "note", NULL};
static const char *const label_codes[] = {"met", "not_met", "annual", "final", "<=", "1", "",
                                          NULL};

static char *tpl_path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_scratch("template");
    tpl_path = fuzz_scratch_path("in.yaml");
    return 0;
}

/* Expand key with v, and drop the result (and the diagnostics in d). */
static size_t expand(rtpl *t, const char *key, const tvars *v, diag_list *d)
{
    char *s = rtpl_expand(t, key, v, d);
    size_t n = strlen(s);
    free(s);
    return n;
}

static void query_template(rtpl *t)
{
    tvars all, none;
    tv_init(&all, NULL);
    tv_init(&none, NULL);
    for (size_t i = 0; known_vars[i]; i++)
        tv_set(&all, known_vars[i], i % 2 ? "{x}" : "值");
    diag_list d = {0};
    volatile size_t k = 0;
    int n = rtpl_count(t, "sections");
    for (int s = 0; s < n && s < 1000; s++) {
        char *prefix = xasprintf("sections.%d", s);
        rtpl_require(t, prefix, section_keys, "section", &d);
        for (size_t j = 0; section_keys[j]; j++) {
            char *key = xasprintf("%s.%s", prefix, section_keys[j]);
            k += (size_t)rtpl_line(t, key) + (size_t)rtpl_has(t, key);
            const char *raw = rtpl_get(t, key);
            if (raw)
                k += strlen(raw);
            k += expand(t, key, &all, &d);
            k += expand(t, key, &none, &d);
            free(key);
        }
        free(prefix);
    }
    for (size_t j = 0; top_keys[j]; j++) {
        k += expand(t, top_keys[j], &all, &d);
        const char *s = rtpl_getf(t, "%s", top_keys[j]);
        if (s) {
            char *f = rtpl_fill(t, s, top_keys[j], &none, &d);
            free(f);
        }
    }
    (void)k;
    tv_free(&all);
    tv_free(&none);
    diag_free(&d);
}

static void try_rtpl(const char *const *known)
{
    diag_list d = {0};
    rtpl *t = NULL;
    if (rtpl_load(&t, tpl_path, known, &d) == 0 && t)
        query_template(t);
    rtpl_free(t);
    diag_free(&d);
}

static void try_labels(void)
{
    diag_list d = {0};
    labels l;
    if (labels_load(&l, tpl_path, &d) == 0) {
        volatile size_t k = 0;
        for (size_t s = 0; label_sections[s]; s++) {
            for (size_t c = 0; label_codes[c]; c++)
                k += strlen(label(&l, label_sections[s], label_codes[c]));
            labels_require(&l, tpl_path, label_sections[s], label_codes, &d);
        }
        (void)k;
    }
    labels_free(&l);
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(tpl_path, data, size);
    try_rtpl(known_vars);
    try_rtpl(NULL);
    try_labels();
    return 0;
}
