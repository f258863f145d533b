"""tests/compare/check_xlsx.py OUT_DIR [--libreoffice PROFILE_DIR]:
comparison.xlsx (read with openpyxl) against comparison.csv, and
comparison.csv against the plans' own assessment.csv and series.csv. With
--libreoffice, LibreOffice headless also converts the workbook (it is written
in constant-memory mode: inline strings, charts without cached values) and
must read every cell the same and draw every chart series from its row of
数值. Prints one "ok ..." or "FAIL ..." line per check."""
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import openpyxl

out = sys.argv[1]
lo_profile = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--libreoffice" else None


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
# Each chart draws one shared indicator: a series per 数值 row of that indicator.
vws = wb["数值"]


def ref_rows(f):
    """Rows of a one-row reference like 数值!$F$3:$O$3 (first, last column letters, row)."""
    m = re.match(r"^'?[^!']+'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?$", f or "")
    return None if not m else (m.group(1), m.group(3) or m.group(1), int(m.group(2)))


bad = []
drawn = {}
for k, ch in enumerate(charts):
    cats = set()
    for sr in ch.series:
        r = ref_rows(sr.val.numRef.f if sr.val and sr.val.numRef else None)
        if r is None:
            bad.append("chart %d: series reference %r" % (k, sr.val))
            continue
        cats.add(vws.cell(row=r[2], column=1).value)
    if len(cats) == 1:
        cat = cats.pop()
        drawn[cat] = len(ch.series)
    else:
        bad.append("chart %d: %d indicators" % (k, len(cats)))
report(not bad and drawn == {c: len(rs) for c, rs in by_cat.items()},
       "each chart draws one indicator, a series per plan", "; ".join(bad[:5]))


def lo_convert(path, tmp):
    """LibreOffice's reading of path, saved again as xlsx (None if it failed)."""
    r = subprocess.run(["soffice", "-env:UserInstallation=file://" + os.path.abspath(lo_profile),
                        "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", tmp, path],
                       capture_output=True, text=True, timeout=900)
    got = os.path.join(tmp, os.path.basename(path))
    ok = r.returncode == 0 and os.path.exists(got)
    report(ok, "LibreOffice headless conversion", r.stderr[-300:])
    return openpyxl.load_workbook(got) if ok else None


def same_cell(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and close(b, a)
    return a == b


def lo_checks(lo):
    bad, n = [], 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                n += 1
                v = lo[ws.title][c.coordinate].value
                if not same_cell(c.value, v):
                    bad.append("%s!%s %r vs %r" % (ws.title, c.coordinate, c.value, v))
    report(n > 0 and not bad, "LibreOffice reads every cell alike (%d cells)" % n, "; ".join(bad[:5]))
    # LibreOffice draws a series from the cells and writes what it drew as
    # the cache: the values and the plan of the series' row.
    bad, npts = [], 0
    locharts = lo["图表"]._charts
    for ch in locharts:
        for sr in ch.series:
            first, last, r = ref_rows(sr.val.numRef.f)
            cells = vws[first + str(r) + ":" + last + str(r)][0]
            want = {i: c.value for i, c in enumerate(cells) if c.value is not None}
            cache = sr.val.numRef.numCache
            got = {p.idx: p.v for p in (cache.pt if cache else [])}
            npts += len(got)
            name = sr.tx.strRef.strCache.pt[0].v if sr.tx and sr.tx.strRef and sr.tx.strRef.strCache else None
            if set(got) != set(want) or any(not close(got[i], want[i]) for i in want) or \
                    name != vws.cell(row=r, column=4).value:
                bad.append("series %s (%s)" % (sr.val.numRef.f, name))
    report(len(locharts) == len(charts) and npts > 0 and not bad,
           "LibreOffice draws every chart series from its row of 数值 (%d charts, %d points)" %
           (len(locharts), npts), "%d charts; %s" % (len(locharts), "; ".join(bad[:5])))


if lo_profile:
    tmp = tempfile.mkdtemp(prefix="cmpcheck.")
    try:
        lo = lo_convert(os.path.join(out, "comparison", "comparison.xlsx"), tmp)
        if lo is not None:
            lo_checks(lo)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
