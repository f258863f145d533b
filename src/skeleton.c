/*
 * skeleton.c - the commented plan file of `planeval new` (skeleton.h).
 */
#include "skeleton.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The plan keys, with what each one takes. */
static void write_plan_keys(FILE *f, const char *region, int first, int last)
{
    fprintf(f,
            "# 规划指标定义（骨架）：由 `planeval new %s %d-%d` 按共用指标目录生成。\n"
            "# 做法：先填 plan 各项；再在 indicators 下逐条对照规划原文，规划写了的指标\n"
            "# 去掉行首的“# ”并填上目标值、年份、属性和牵头部门，规划没写的整条删去。\n"
            "# 以“## ”开头的行是说明或其他写法，不用时删去即可。\n"
            "# 规划的说法怎样写成 YAML：docs/indicator-yaml.md 的 Cookbook 一节。\n"
            "# 写好后运行 `planeval check %s-%d-%d` 检查。\n\n",
            region, first, last, region, first, last);
    fprintf(f,
            "plan:\n"
            "  id: %s-%d-%d\n"
            "  title: 待填写         # 规划全称，如 XX县“十四五”应急管理规划\n"
            "  region: %s\n"
            "  region_name: 待填写   # 县（市、区）名称\n"
            "  period: [%d, %d]\n"
            "  baseline_period: [%d, %d]   # 上一规划期，下降x%%的基期默认取它\n"
            "  midterm_year: %d\n"
            "  # document: 规划文件名\n"
            "  # issuer: 印发机关\n"
            "  # issued: 印发日期，如 2022-03-01\n\n",
            region, first, last, region, first, last, first - 5, first - 1,
            first + (last - first) / 2);
    fputs("# 指标分组（可选；声明后每个指标都要写 group）：\n"
          "# groups:\n"
          "#   - {id: nd, name: 自然灾害防治}\n"
          "#   - {id: ps, name: 安全生产}\n"
          "#   - {id: cap, name: 应急能力建设}\n\n",
          f);
}

/* The usual target and its alternative, by the side that is better. */
static void write_targets(FILE *f, const catalogue_indicator *ci, int first, int last)
{
    fputs("  #   targets:\n", f);
    if (ci->better == BETTER_HIGHER) {
        fprintf(f, "  #     - {year: %d, op: \">=\", value: 0}   # 达到…以上、不低于…：填目标值\n",
                last);
        fprintf(f, "  ##    - {year: %d, op: increase, by: 10, baseline: {reading: year, year: %d}}"
                   "   # 提高x%%\n",
                last, first - 1);
    } else {
        fprintf(f, "  #     - {year: %d, op: \"<=\", value: 0}   # 控制在…以内、不高于…：填目标值\n",
                last);
        fprintf(f, "  ##    - {year: %d, op: decrease, by: 10, baseline: {reading: year, year: %d}}"
                   "   # 下降x%%\n",
                last, first - 1);
        fprintf(f, "  ##    - {year: %d, op: \"<\", value: 0, aggregate: every_year}"
                   "   # 每年均低于…\n",
                last);
    }
}

/* One catalogue indicator as a commented entry. */
static void write_entry(FILE *f, const catalogue_indicator *ci, int first, int last)
{
    fprintf(f, "  ## %s（%s%s）\n", ci->name, ci->unit && *ci->unit ? ci->unit : "无单位",
            ci->better == BETTER_LOWER    ? "，越低越好"
            : ci->better == BETTER_HIGHER ? "，越高越好"
                                          : "");
    if (ci->notes && *ci->notes) {
        /* one comment line per line of the note */
        const char *s = ci->notes;
        while (*s) {
            size_t n = strcspn(s, "\n");
            fprintf(f, "  ## %.*s\n", (int)n, s);
            s += n + (s[n] == '\n');
        }
    }
    fprintf(f, "  # - id: %s\n", ci->id);
    fprintf(f, "  #   use: %s\n", ci->id);
    fputs("  #   type: 预期性        # 约束性 / 预期性，按规划指标表\n", f);
    fputs("  #   department: 待填写  # 牵头部门；规划没写就删去此行\n", f);
    fputs("  ##   source: {line: 0, quote: 规划原文}   # 出处：规划第几行、原话\n", f);
    write_targets(f, ci, first, last);
    fputc('\n', f);
}

void skeleton_write(FILE *f, const catalogue *cat, const char *region, int first, int last)
{
    write_plan_keys(f, region, first, last);
    fputs("indicators:\n", f);
    for (int i = 0; i < cat->ninds; i++)
        write_entry(f, &cat->inds[i], first, last);
    fputs("  ## 规划自己的指标（目录里没有的）：写 name、unit、better 和 formula 或 ratio，\n"
          "  ## 见 docs/indicator-yaml.md。里程碑：kind: milestone，目标 {year: 2023, op: done}。\n",
          f);
}

int skeleton_create(const char *dir, const catalogue *cat, const char *region, int first,
                    int last, diag_list *d)
{
    char *path = xasprintf("%s/%s-%d-%d.yaml", dir, region, first, last);
    char *tmp = xasprintf("%s/.%s-%d-%d.yaml.tmp.%ld", dir, region, first, last, (long)getpid());
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        diag_add(d, DIAG_ERROR, tmp, 0, 0, "cannot create: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        goto done;
    }
    skeleton_write(f, cat, region, first, last);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        diag_add(d, DIAG_ERROR, tmp, 0, 0, "cannot write: %s", strerror(errno));
        unlink(tmp);
        goto done;
    }
    /* link() never replaces: an existing plan file stays as it is. */
    if (link(tmp, path) != 0) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "%s",
                 errno == EEXIST ? "already exists; not replaced (move it away or choose "
                                   "another period)"
                                 : strerror(errno));
        unlink(tmp);
        goto done;
    }
    unlink(tmp);
    printf("%s: written, %d catalogue indicators as commented entries\n", path, cat->ninds);
    rc = 0;
done:
    free(tmp);
    free(path);
    return rc;
}
