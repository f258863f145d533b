"""tests/compare/check_xlsx.py OUT_DIR: comparison.xlsx (read with openpyxl)
against comparison.csv, and comparison.csv against the plans' own
assessment.csv and series.csv. Prints one "ok ..." or "FAIL ..." line per
check."""
import csv
import glob
import os
import sys

import openpyxl

out = sys.argv[1]


def close(a, b):
    """Excel keeps 15 significant digits."""
    return a is not None and abs(a - b) <= 1e-13 * max(1.0, abs(b))


def report(ok, what, detail=""):
    print(("ok " if ok else "FAIL ") + what + (": " + detail if detail and not ok else ""))


rows = list(csv.DictReader(open(os.path.join(out, "comparison", "comparison.csv"), encoding="utf-8")))
report(len(rows) > 0, "comparison.csv has rows")

# The inputs, read independently.
assess, series = {}, {}
for f in glob.glob(os.path.join(out, "*", "assessment.csv")):
    for r in csv.DictReader(open(f, encoding="utf-8-sig")):
        assess[(r["plan_id"], r["indicator_id"], r["target_no"])] = r
for f in glob.glob(os.path.join(out, "*", "series.csv")):
    for r in csv.DictReader(open(f, encoding="utf-8-sig")):
        if r["state"] == "ok" and r.get("kind", "observed") == "observed" and r["value"]:
            series[(r["plan_id"], r["indicator_id"], int(r["year"]))] = float(r["value"])

# Every catalogue id used by >= 2 plans is in the comparison, and no other.
plans_of = {}
for r in assess.values():
    if r["catalogue"] and r["kind"] == "quantitative":
        plans_of.setdefault(r["catalogue"], set()).add(r["plan_id"])
shared = {c for c, p in plans_of.items() if len(p) >= 2}
got = {r["catalogue"] for r in rows}
report(got == shared, "the shared indicators are those of >= 2 plans",
       "missing %s, extra %s" % (sorted(shared - got), sorted(got - shared)))

# Each row's figures are those of its plan's files.
bad = []
for r in rows:
    a = assess.get((r["plan_id"], r["indicator_id"], r["target_no"]))
    if a is None or a["catalogue"] != r["catalogue"]:
        bad.append("no target %s/%s/%s" % (r["plan_id"], r["indicator_id"], r["target_no"]))
        continue
    for col in ("status", "target_year", "comparator", "current_value"):
        if a[col] != r[col] and not (col == "current_value" and a[col] and r[col] and
                                     abs(float(a[col]) - float(r[col])) < 1e-12):
            bad.append("%s %s: %s vs %s" % (r["plan_id"], col, r[col], a[col]))
    if r["rank"]:
        v = series.get((r["plan_id"], r["indicator_id"], int(r["rank_year"])))
        factor = 1.0
        if r["own_unit"] != r["unit"]:
            factor = 10.0 if r["own_unit"] == "%" else 0.1
        if v is None or abs(v * factor - float(r["rank_value"])) > 1e-9 * max(1, abs(v)):
            bad.append("%s %s rank value %s, series %s" % (r["plan_id"], r["catalogue"],
                                                           r["rank_value"], v))
report(not bad, "comparison.csv matches assessment.csv and series.csv", "; ".join(bad[:5]))

# Ranks: best first, direction-aware, ties share a rank.
bad = []
by_cat = {}
for r in rows:
    by_cat.setdefault(r["catalogue"], []).append(r)
for cat, rs in by_cat.items():
    ranked = [r for r in rs if r["rank"]]
    sign = -1 if rs[0]["better"] == "higher" else 1
    for x in ranked:
        expect = 1 + sum(1 for y in ranked
                         if sign * float(y["rank_value"]) < sign * float(x["rank_value"]) - 1e-12 *
                         max(1, abs(float(x["rank_value"]))))
        if int(x["rank"]) != expect:
            bad.append("%s %s rank %s, expected %d" % (cat, x["plan_id"], x["rank"], expect))
    years = {r["rank_year"] for r in ranked}
    if len(years) > 1 and any(r["rank_year"] == max(years) for r in ranked):
        pass  # no common year: each its latest
report(not bad, "ranks follow the values, best first, ties shared", "; ".join(bad[:5]))
small = [r for r in rows if r["small_count"] == "yes" and r["rank"]]
report(all(r["note"] == "small_count" for r in small) and small,
       "ranks from small counts are flagged", str([(r["plan_id"], r["note"]) for r in small][:3]))

# The workbook.
wb = openpyxl.load_workbook(os.path.join(out, "comparison", "comparison.xlsx"))
report(wb.sheetnames == ["总览", "排名", "差距", "数值", "图表"], "sheet names", str(wb.sheetnames))
ws = wb["排名"]
head = [c.value for c in ws[2]]
xrows = [dict(zip(head, [c.value for c in row])) for row in ws.iter_rows(min_row=3)]
report(len(xrows) == len(rows), "排名 has one row per comparison.csv row",
       "%d vs %d" % (len(xrows), len(rows)))
bad = []
for x, r in zip(xrows, rows):
    if (x["共用定义"], x["规划"]) != (r["catalogue"], r["plan_id"]):
        bad.append("order %s/%s vs %s/%s" % (x["共用定义"], x["规划"], r["catalogue"], r["plan_id"]))
        continue
    if (x["排名"] or "") != (int(r["rank"]) if r["rank"] else ""):
        bad.append("%s %s rank %s vs %s" % (r["catalogue"], r["plan_id"], x["排名"], r["rank"]))
    if r["rank"] and not close(x["排名所用数值"], float(r["rank_value"])):
        bad.append("%s %s value" % (r["catalogue"], r["plan_id"]))
    if r["gap"] and not close(x["差距"], float(r["gap"])):
        bad.append("%s %s gap" % (r["catalogue"], r["plan_id"]))
report(not bad, "排名 matches comparison.csv (order, rank, value, gap)", "; ".join(bad[:5]))
gws = wb["差距"]
gaps = [row for row in gws.iter_rows(min_row=3, values_only=True) if row[0]]
off = [r for r in rows if r["off_track"] == "yes"]
pcts = [g[11] for g in gaps if g[11] is not None]
report(len(gaps) == len(off) and pcts == sorted(pcts, reverse=True),
       "差距 lists the off-track rows, largest gap first", "%d vs %d" % (len(gaps), len(off)))
charts = wb["图表"]._charts
report(len(charts) == len(by_cat), "one native chart per shared indicator",
       "%d charts, %d indicators" % (len(charts), len(by_cat)))
