/*
 * test_outset.c - unit tests for outset.c's names: whatever stands at a
 * temporary's or a backup's name (a planted link, a killed run's file) is
 * removed and the set still committed, the link's target untouched; a killed
 * run's leftovers of every kind are handled by one outset_remove_stale(),
 * including a temporary name that only its journal's renames made; missing
 * parent directories are made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outset.h"
#include "util.h"

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *text)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    char *got = read_whole_file(path, NULL);
    assert_non_null(got);
    assert_string_equal(got, text);
    free(got);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The names in dir other than . and .., in readdir's order, as one string "a b ". */
static char *names_in(const char *dir)
{
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    char *all = xstrdup("");
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *more = xasprintf("%s%s ", all, e->d_name);
        free(all);
        all = more;
    }
    closedir(dh);
    return all;
}

/* Assert the names in dir (as names_in gives them: one name, or none, has one order). */
static void assert_names(const char *dir, const char *want)
{
    char *names = names_in(dir);
    assert_string_equal(names, want);
    free(names);
}

/* Write text as s's file name and commit the set, without an error. */
static void write_and_commit(out_set *s, const char *name, const char *text)
{
    diag_list d = {0};
    FILE *f = outset_stream(s, name, &d);
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(outset_commit(s, &d), 0);
    assert_int_equal(diag_errors(&d), 0);
    diag_free(&d);
}

/* The pid of a process that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0)
        _exit(0);
    int status;
    assert_int_equal(waitpid(p, &status, 0), p);
    return (long)p;
}

static void rm_rf(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* Links planted at the generation directory's name and at a file's name in
 * it are replaced by the new directory and file; what they point to is not
 * written. */
static void test_link_at_temporary_name(void **state)
{
    (void)state;
    char root[] = "/tmp/test_outset.XXXXXX";
    assert_non_null(mkdtemp(root));
    char *plan = xasprintf("%s/plan", root), *target = xasprintf("%s/target", root);
    put(target, "keep\n");
    char *elsewhere = xasprintf("%s/elsewhere", root);
    char *gen = xasprintf("%s/.plan.tmp.%ld", root, (long)getpid());
    assert_int_equal(mkdir(elsewhere, 0777), 0);
    assert_int_equal(symlink(elsewhere, gen), 0);
    out_set s;
    diag_list d = {0};
    assert_int_equal(outset_open(&s, plan, 1, &d), 0);
    assert_string_equal(s.build, gen);
    char *planted = xasprintf("%s/a.csv", s.build);
    assert_int_equal(symlink(target, planted), 0);
    write_and_commit(&s, "a.csv", "new\n");
    char *final = xasprintf("%s/a.csv", plan);
    assert_file_is(final, "new\n");
    assert_file_is(target, "keep\n");
    assert_names(elsewhere, "");
    diag_free(&d);
    rm_rf(root);
    free(final);
    free(planted);
    free(elsewhere);
    free(gen);
    free(plan);
    free(target);
}

/* A shared file's backup name taken by a killed run's file (same pid): the
 * previous version is still kept under it during the rename, and nothing
 * is left behind. */
static void test_backup_name_taken(void **state)
{
    (void)state;
    char root[] = "/tmp/test_outset.XXXXXX";
    assert_non_null(mkdtemp(root));
    char *final = xasprintf("%s/m.json", root);
    char *bak = xasprintf("%s/.m.json.tmp.%ld.bak", root, (long)getpid());
    put(final, "old\n");
    put(bak, "stale\n");
    out_set s;
    diag_list d = {0};
    assert_int_equal(outset_open(&s, root, 0, &d), 0);
    write_and_commit(&s, "m.json", "new\n");
    assert_file_is(final, "new\n");
    assert_names(root, "m.json ");
    diag_free(&d);
    rm_rf(root);
    free(final);
    free(bak);
}

/* A shared file committed for the first time (no previous version) with a
 * link and a killed run's file left at its backup name: both are removed,
 * and the link's target is not written (06df9e2 left them in place). */
static void test_backup_name_taken_first_commit(void **state)
{
    (void)state;
    char root[] = "/tmp/test_outset.XXXXXX";
    assert_non_null(mkdtemp(root));
    char *target = xasprintf("%s/target", root);
    put(target, "keep\n");
    const char *names[] = {"m.json", "n.csv"};
    for (int k = 0; k < 2; k++) {
        char *bak = xasprintf("%s/.%s.tmp.%ld.bak", root, names[k], (long)getpid());
        if (k == 0)
            assert_int_equal(symlink(target, bak), 0);
        else
            put(bak, "stale\n");
        out_set s;
        diag_list d = {0};
        assert_int_equal(outset_open(&s, root, 0, &d), 0);
        write_and_commit(&s, names[k], "new\n");
        assert_false(exists(bak));
        diag_free(&d);
        free(bak);
    }
    assert_file_is(target, "keep\n");
    char *left = names_in(root); /* three names, in readdir's order */
    assert_int_equal(strlen(left), strlen("m.json n.csv target "));
    assert_null(strstr(left, ".tmp."));
    free(left);
    rm_rf(root);
    free(target);
}

/* Missing parents of an own set's directory, and a shared set's directory
 * itself, are made. */
static void test_parents_made(void **state)
{
    (void)state;
    char root[] = "/tmp/test_outset.XXXXXX";
    assert_non_null(mkdtemp(root));
    char *plan = xasprintf("%s/a/b/plan", root), *shared = xasprintf("%s/c/d", root);
    out_set s;
    diag_list d = {0};
    assert_int_equal(outset_open(&s, plan, 1, &d), 0);
    outset_abort(&s);
    char *b = xasprintf("%s/a/b", root);
    struct stat st;
    assert_int_equal(lstat(b, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(outset_open(&s, shared, 0, &d), 0);
    outset_abort(&s);
    assert_int_equal(lstat(shared, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(diag_errors(&d), 0);
    diag_free(&d);
    rm_rf(root);
    free(plan);
    free(shared);
    free(b);
}

/* Every kind of leftover of a dead process, handled by one call; a clean
 * directory's call handles nothing. */
static void test_stale_leftovers(void **state)
{
    (void)state;
    char root[] = "/tmp/test_outset.XXXXXX";
    assert_non_null(mkdtemp(root));
    long pid = dead_pid();
    assert_int_equal(outset_remove_stale(root), 0);
    /* a previous set moved aside, its name missing: put back */
    char *aside = xasprintf("%s/.p.old.%ld", root, pid);
    assert_int_equal(mkdir(aside, 0777), 0);
    /* a generation directory and a shared temporary: removed */
    char *gen = xasprintf("%s/.q.tmp.%ld", root, pid);
    assert_int_equal(mkdir(gen, 0777), 0);
    char *tmp = xasprintf("%s/.r.csv.tmp.%ld", root, pid);
    put(tmp, "partial\n");
    assert_int_equal(outset_remove_stale(root), 2);
    assert_names(root, "p ");
    /* a journal: its renames completed; one of them gives a temporary's
     * name, removed as the others are */
    char *journal = xasprintf("%s/.commit.%ld", root, pid);
    char *line = xasprintf("y\ts.json\nx\t.t.tmp.%ld\n", pid);
    put(journal, line);
    char *stmp = xasprintf("%s/y", root), *x = xasprintf("%s/x", root);
    put(stmp, "whole\n");
    put(x, "x\n");
    assert_int_equal(outset_remove_stale(root), 1);
    char *s_json = xasprintf("%s/s.json", root);
    assert_file_is(s_json, "whole\n");
    assert_false(exists(journal));
    assert_false(exists(x));
    char *names = names_in(root);
    assert_true(strstr(names, ".t.tmp.") == NULL);
    free(names);
    rm_rf(root);
    free(aside);
    free(gen);
    free(tmp);
    free(journal);
    free(line);
    free(stmp);
    free(x);
    free(s_json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_at_temporary_name),
        cmocka_unit_test(test_backup_name_taken),
        cmocka_unit_test(test_backup_name_taken_first_commit),
        cmocka_unit_test(test_parents_made),
        cmocka_unit_test(test_stale_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
