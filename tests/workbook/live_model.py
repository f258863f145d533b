#!/usr/bin/python3
"""tests/workbook/live_model.py - the workbook is a live model (issue 12).

For every plan evaluated in OUT (planeval's output of the sample plans):

  1. change a set of raw cells of 原始数据 in a copy of the workbook (openpyxl)
     and recalculate it with LibreOffice headless;
  2. make the same change in a copy of the data (the CSV cell, or the row a
     filtered sum reads) and run planeval on it;
  3. compare every formula cell of 年度数据 and the live cells of 指标 and 总览
     with what planeval computed from the changed data: figures to 1e-9
     relative (finer than any display precision), verdicts and outlooks equal;
  4. require that the change moved some figures and verdicts, so that the
     comparison is not vacuous.

The changes: in every data row of 原始数据, the latest year with a value is
scaled by 0.6 (whole numbers stay whole: floor); every third row of a yearly
or long table loses the value of its second-latest year (a missing value);
a row of 0/1 flags (what an exclude_when condition reads) has its last 1 set
to 0 instead, so that a year left out comes back in;
every other milestone record 里程碑 shows (the latest up to the evaluation
year) changes its status in 里程碑 and milestones.csv alike (已完成 <-> 推进中,
达成 <-> 未达成), and 里程碑's verdicts are compared too.

usage: live_model.py --planeval BIN --data DIR --indicators DIR --templates DIR OUT
Ends with "N passed, M failed".
"""
import csv
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import openpyxl
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_workbook as cw  # noqa: E402  (its report, counts and readers)

report, read_csv, header_map = cw.report, cw.read_csv, cw.header_map


def read_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def table_layouts(data_dir):
    """file name -> layout, from data/variables/*.yaml."""
    out = {}
    vdir = os.path.join(data_dir, "variables")
    for name in sorted(os.listdir(vdir)):
        if name.endswith(".yaml"):
            for t in (read_yaml(os.path.join(vdir, name)) or {}).get("tables", {}).values():
                out[t["file"]] = t.get("layout", "yearly")
    return out


def parse_ref(ref):
    """'ps_deaths{sector="道路交通"}' -> ('ps_deaths', {'sector': ['道路交通']})."""
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\{(.*)\})?$", ref)
    if not m:
        return None, None
    filters = {}
    for dim, vals in re.findall(r'(\w+)\s*=\s*((?:"[^"]*"|\'[^\']*\')(?:\s*\|\s*(?:"[^"]*"|\'[^\']*\'))*)', m.group(2) or ""):
        filters[dim] = [v[1:-1] for v in re.findall(r'"[^"]*"|\'[^\']*\'', vals)]
    return m.group(1), filters


def scaled(text):
    """The changed CSV text of a number: 0.6 times, whole numbers stay whole."""
    x = float(text)
    if re.fullmatch(r"-?\d+", text.strip()):
        return str(int(math.floor(x * 0.6)))
    return repr(round(x * 0.6, 4))


class CsvFile:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8", newline="") as f:
            self.rows = list(csv.reader(f))
        self.head = self.rows[0]

    def save(self):
        with open(self.path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(self.rows)

    def col(self, name):
        return self.head.index(name) if name in self.head else -1


def change_csv(files, layout, path, var, filters, year, blank, value=None):
    """Change var in year in the CSV at path (to value when given); returns the
    change of the yearly figure (new - old) or None when blank, False when it
    cannot be done."""
    f = files.setdefault(path, CsvFile(path))
    yc = f.col("year")
    if yc < 0:
        return False
    for row in f.rows[1:]:
        if len(row) <= yc or row[yc] != str(year):
            continue
        if layout == "yearly" and not filters:
            c = f.col(var)
        elif layout == "long" and not filters:
            if row[f.col("variable")] != var:
                continue
            c = f.col("value")
        elif layout == "rows" and not blank:
            if any(row[f.col(d)] not in vs for d, vs in filters.items() if f.col(d) >= 0):
                continue
            c = f.col(var)
        else:
            return False
        if c < 0 or not row[c].strip():
            if layout == "rows":
                continue
            return False
        try:
            old = float(row[c])
        except ValueError:
            return False
        if blank:
            row[c] = ""
            return None
        row[c] = scaled(row[c]) if value is None else value
        return float(row[c]) - old
    return False


def perturb(wb, inputs_sheet, data_word, data_dir, layouts):
    """Change 原始数据 in wb and the CSVs under data_dir alike; returns the number of cells."""
    ws = wb[inputs_sheet]
    years = {c.column: c.value for c in ws[1] if isinstance(c.value, int)}
    files, n, k = {}, 0, 0
    # a variable read by two rows (a sum and a filtered part) would change both: left alone
    uses = {}
    for r in range(2, ws.max_row + 1):
        var, _ = parse_ref(ws.cell(row=r, column=1).value or "")
        uses[var] = uses.get(var, 0) + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=3).value != data_word:
            continue
        var, filters = parse_ref(ws.cell(row=r, column=1).value or "")
        if uses.get(var, 0) > 1:
            continue
        source = ws.cell(row=r, column=5).value or ""
        fname = os.path.basename(source)
        layout = layouts.get(fname)
        path = os.path.join(data_dir, os.path.basename(os.path.dirname(source)), fname)
        if not var or not layout or not os.path.exists(path):
            continue
        cols = [c for c in sorted(years) if isinstance(ws.cell(row=r, column=c).value, (int, float))]
        if not cols:
            continue
        k += 1
        plan = [(cols[-1], False)]
        flags = [ws.cell(row=r, column=c).value for c in cols]
        if set(flags) <= {0, 1} and 1 in flags:
            # a flag (an exclude_when condition reads it): its last 1 becomes 0
            c = max(c for c in cols if ws.cell(row=r, column=c).value == 1)
            d = change_csv(files, layout, path, var, filters, years[c], False, "0")
            if d is not False:
                ws.cell(row=r, column=c).value = 0
                n += 1
            continue
        if k % 3 == 0 and len(cols) > 1 and layout in ("yearly", "long") and not filters:
            plan.append((cols[-2], True))
        for c, blank in plan:
            d = change_csv(files, layout, path, var, filters, years[c], blank)
            if d is False:
                continue
            cell = ws.cell(row=r, column=c)
            cell.value = None if blank else cell.value + d
            n += 1
    for f in files.values():
        f.save()
    return n


# A milestone's latest status, changed: done <-> in progress, achieved <-> missed.
FLIP = {"已完成": "推进中", "推进中": "已完成", "未启动": "已完成",
        "达成": "未达成", "基本达成": "未达成", "未达成": "达成"}


def perturb_milestones(wb, ms_sheet, data_dir):
    """Flip the latest status of every other milestone record in 里程碑 and in
    milestones.csv alike (the record column names file:line); returns
    {(indicator id, target number): row} of the rows of the flipped records."""
    ws = wb[ms_sheet]
    by_record, ordinal, rows = {}, {}, {}
    for r in range(2, ws.max_row + 1):
        ind = ws.cell(row=r, column=1).value
        ordinal[ind] = ordinal.get(ind, 0) + 1
        rows[(ind, ordinal[ind])] = r
        rec = ws.cell(row=r, column=12).value
        if rec:
            by_record.setdefault(rec, []).append(r)
    flipped = {}
    for k, rec in enumerate(sorted(by_record)):
        if k % 2:
            continue
        path, _, line = rec.rpartition(":")
        path = os.path.join(data_dir, os.path.basename(os.path.dirname(path)), os.path.basename(path))
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        head = next(csv.reader([lines[0]]))
        row = next(csv.reader([lines[int(line) - 1]]))
        new = FLIP.get(row[head.index("status")])
        if new is None:
            continue
        row[head.index("status")] = new
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        lines[int(line) - 1] = out.getvalue()
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines))
        for r in by_record[rec]:
            ws.cell(row=r, column=9).value = new
            flipped.update({key: r for key, rr in rows.items() if rr == r})
    return flipped


def compare_milestones(wf, lo, ms_sheet, flipped, assessment, pre):
    """里程碑's verdict formulas against the changed run's verdicts, every row."""
    ws, wl = wf[ms_sheet], lo[ms_sheet]
    status = {(a["indicator_id"], int(a["target_no"])): a["status_zh"] for a in assessment}
    ordinal, bad, n = {}, [], 0
    for r in range(2, ws.max_row + 1):
        ind = ws.cell(row=r, column=1).value
        ordinal[ind] = ordinal.get(ind, 0) + 1
        c = ws.cell(row=r, column=8)
        want = status.get((ind, ordinal[ind]))
        if c.data_type != "f":
            continue
        n += 1
        got = wl.cell(row=r, column=8).value
        if got != want:
            bad.append("%s/%d: %r vs %r" % (ind, ordinal[ind], got, want))
    report(n > 0 and not bad, pre + "里程碑 verdicts recalculated = planeval on the changed "
           "milestones (%d formulas, %d rows changed)" % (n, len(flipped)), "; ".join(bad[:5]))


def lo_recalc(src, outdir, profile):
    r = subprocess.run(["soffice", "-env:UserInstallation=file://" + profile, "--headless",
                        "--norestore", "--convert-to", "xlsx", "--outdir", outdir, src],
                       capture_output=True, text=True, timeout=600)
    path = os.path.join(outdir, os.path.basename(src))
    return path if r.returncode == 0 and os.path.exists(path) else None


def same(a, b, na):
    """A recalculated cell against planeval's CSV text."""
    if b == "":
        return a is None or a == "" or a == na
    if a is None or isinstance(a, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def compare_yearly(wf, lo, sheet, series, pre, na, yw):
    """Every formula cell of 年度数据 against the changed run's series.csv."""
    ws, wl = wf[sheet], lo[sheet]
    years = {c.value: c.column for c in ws[1] if isinstance(c.value, int)}
    rows = {(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): r
            for r in range(2, ws.max_row + 1)}
    bad, n = [], 0
    for s in series:
        if s.get("kind", "observed") == "forecast":
            continue
        for part in ("value", "numerator", "denominator"):
            r = rows.get((s["indicator_id"], yw[part]))
            c = years.get(int(s["year"]))
            if r is None or c is None or ws.cell(row=r, column=c).data_type != "f":
                continue
            n += 1
            v = wl.cell(row=r, column=c).value
            if not same(v, s[part], na):
                bad.append("%s %s %s: %r vs %r" % (s["indicator_id"], part, s["year"], v, s[part]))
    report(n > 0 and not bad, pre + "年度数据 recalculated = planeval on the changed data (%d formulas)" % n,
           "; ".join(bad[:5]))


LIVE = ("current_value", "baseline_value", "change_pct", "limit", "status_zh", "outlook_zh")


def compare_indicators(wf, lo, sheet, wording, assessment, pre, na):
    """The live cells of 指标 against the changed run's assessment.csv."""
    ws, wl = wf[sheet], lo[sheet]
    heads = header_map(ws)
    cols = {c: heads[wording[c]] for c in LIVE if wording.get(c) in heads}
    bad, n = [], 0
    for i, a in enumerate(assessment):
        for code, c in cols.items():
            if ws.cell(row=i + 2, column=c).data_type != "f":
                continue
            n += 1
            v = wl.cell(row=i + 2, column=c).value
            t = a[code]
            ok = same(v, t, na)
            if code == "change_pct" and not ok and t and isinstance(v, (int, float)):
                ok = math.isclose(v, float(t), rel_tol=1e-6)  # the csv rounds it
            if not ok:
                bad.append("%s/%s/%s: %r vs %r" % (a["indicator_id"], a["target_no"], code, v, t))
    report(n > 0 and not bad, pre + "指标 live cells recalculated = planeval on the changed data (%d)" % n,
           "; ".join(bad[:5]))
    return cols


def compare_overview(wf, lo, sheet, assessment, pre, outlook_head, indicators_sheet, figure_head):
    """总览's outlooks (formulas over 指标: that row of the changed run) and the counts
    by outlook, which follow the column: changed outlooks where formulas, cached where fixed."""
    ws, wl = wf[sheet], lo[sheet]
    head_row = next((r for r in range(1, 10)
                     if any(c.value == outlook_head for c in ws[r])), None)
    if head_row is None:
        return report(False, pre + "总览 has a %s column" % outlook_head)
    col = next(c.column for c in ws[head_row] if c.value == outlook_head)
    ref = re.compile(r"^='?%s'?!\$?[A-Z]+\$?(\d+)$" % re.escape(indicators_sheet))
    bad, expect, live = [], {}, 0
    for r in range(head_row + 1, head_row + 1 + len(assessment)):
        c = ws.cell(row=r, column=col)
        if c.data_type == "f":
            m = ref.match(c.value)
            if not m:
                bad.append("%s: %s" % (c.coordinate, c.value))
                continue
            live += 1
            want = assessment[int(m.group(1)) - 2]["outlook_zh"]
            got = wl.cell(row=r, column=col).value
            if got != want:
                bad.append("%s: %r vs %r" % (c.coordinate, got, want))
        else:
            want = c.value
        expect[want] = expect.get(want, 0) + 1
    report(live > 0 and not bad,
           pre + "总览 outlooks recalculated = planeval on the changed data (%d formulas, %d fixed)"
           % (live, len(assessment) - live), "; ".join(bad[:5]))
    # 现状 formulas: the recalculated text carries the changed run's current value
    fig_head = next((c.column for c in ws[head_row] if c.value == figure_head), None)
    fref = re.compile(r"^=IF\(ISNUMBER\('?%s'?!\$?[A-Z]+\$?(\d+)\).*TEXT\([^,]*,\"0\.?(0*)\"\)"
                      % re.escape(indicators_sheet))
    bad_fig, nfig = [], 0
    for r in range(head_row + 1, head_row + 1 + len(assessment)):
        c = ws.cell(row=r, column=fig_head) if fig_head else None
        if c is None or c.data_type != "f":
            continue
        m = fref.match(c.value)
        if not m:
            bad_fig.append("%s: %s" % (c.coordinate, c.value[:60]))
            continue
        nfig += 1
        cur = assessment[int(m.group(1)) - 2]["current_value"]
        got = wl.cell(row=r, column=fig_head).value or ""
        want = "%.*f" % (len(m.group(2)), float(cur)) if cur else ""
        if want not in got:
            bad_fig.append("%s: %r lacks %r" % (c.coordinate, got, want))
    report(nfig > 0 and not bad_fig,
           pre + "总览 现状 formulas show the changed current values (%d)" % nfig, "; ".join(bad_fig[:5]))
    # the counts table: the cell right of each outlook word
    bad, n = [], 0
    for r in range(head_row + 1, head_row + 12):
        for c in range(col + 1, ws.max_column):
            w = ws.cell(row=r, column=c).value
            f = ws.cell(row=r, column=c + 1)
            if isinstance(w, str) and not w.startswith("=") and f.data_type == "f" and \
                    f.value.startswith("=COUNTIF("):
                n += 1
                v = wl.cell(row=r, column=c + 1).value
                if v != expect.get(w, 0):
                    bad.append("%s: %r vs %d" % (w, v, expect.get(w, 0)))
    report(n > 0 and not bad, pre + "总览 counts by outlook follow the changed outlooks (%d)" % n,
           "; ".join(bad[:5]))


def check_plan(args, plan_dir, wording, labels, profile):
    plan_id = os.path.basename(plan_dir.rstrip("/"))
    pre = plan_id + ": "
    sheet = wording["sheet"]
    na = labels["status"]["not_applicable"]
    tmp = tempfile.mkdtemp(prefix="wblive.")
    try:
        data = os.path.join(tmp, "data")
        shutil.copytree(args["data"], data)
        wb = openpyxl.load_workbook(os.path.join(plan_dir, plan_id + ".xlsx"))
        n = perturb(wb, sheet["inputs"], wording["inputs"]["data"], data, table_layouts(data))
        if not report(n >= 3, pre + "changed %d raw cells in the workbook and the CSV files" % n):
            return
        ms_sheet = sheet["milestones"]
        flipped = perturb_milestones(wb, ms_sheet, data) if ms_sheet in wb.sheetnames else {}
        changed = os.path.join(tmp, plan_id + ".xlsx")
        wb.save(changed)
        out = os.path.join(tmp, "out")
        r = subprocess.run([args["planeval"], "run", "-q", "--out", out, "--data", data,
                            "--indicators", args["indicators"], "--templates", args["templates"],
                            "--charts", "none", plan_id], capture_output=True, text=True)
        if not report(r.returncode == 0, pre + "planeval on the changed data", r.stderr[-500:]):
            return
        lo_dir = os.path.join(tmp, "lo")
        lo_path = lo_recalc(changed, lo_dir, profile)
        if not report(lo_path is not None, pre + "LibreOffice recalculates the changed workbook"):
            return
        wf = openpyxl.load_workbook(changed)
        lo = openpyxl.load_workbook(lo_path, data_only=True)
        series = read_csv(os.path.join(out, plan_id, "series.csv"))
        assessment = read_csv(os.path.join(out, plan_id, "assessment.csv"))
        before = read_csv(os.path.join(plan_dir, "assessment.csv"))
        compare_yearly(wf, lo, sheet["yearly"], series, pre, na, wording["yearly"])
        compare_indicators(wf, lo, sheet["indicators"], wording["assessment"], assessment, pre, na)
        compare_overview(wf, lo, sheet["overview"], assessment, pre, wording["overview"]["outlook"],
                         sheet["indicators"], wording["overview"]["figure"])
        if flipped:
            compare_milestones(wf, lo, ms_sheet, flipped, assessment, pre)
        moved = sum(1 for a, b in zip(before, assessment) if a["current_value"] != b["current_value"])
        flipped = sum(1 for a, b in zip(before, assessment) if a["status"] != b["status"])
        report(moved > 0 and flipped > 0,
               pre + "the change moved %d figures and %d verdicts" % (moved, flipped))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    args = {"planeval": "./planeval", "data": "data", "indicators": "indicators",
            "templates": "templates"}
    rest = []
    i = 0
    while i < len(argv):
        if argv[i].startswith("--") and argv[i][2:] in args and i + 1 < len(argv):
            args[argv[i][2:]] = os.path.abspath(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    if len(rest) != 1:
        print(__doc__)
        return 2
    wording = read_yaml(os.path.join(args["templates"], "workbook.yaml"))
    labels = read_yaml(os.path.join(args["templates"], "labels.yaml"))
    plans = sorted(d for d in os.listdir(rest[0])
                   if os.path.exists(os.path.join(rest[0], d, "assessment.csv")))
    report(len(plans) > 0, "plans: " + " ".join(plans))
    profile = cw.make_lo_profile()
    try:
        for p in plans:
            check_plan(args, os.path.join(rest[0], p), wording, labels, profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    print("%d passed, %d failed" % (cw.PASSED, cw.FAILED))
    return 1 if cw.FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
