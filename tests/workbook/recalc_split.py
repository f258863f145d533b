#!/usr/bin/env python3
"""tests/workbook/recalc_split.py WORKBOOK SERIES_CSV [--no-libreoffice]

A workbook whose formulas were split through helper cells (src/xlsplit.h:
min() over 5,000 items): no formula over Excel's 8,192 characters or with
a function over 255 arguments; the helpers are on the hidden sheet
计算辅助; LibreOffice, recalculating a copy whose cached results are all
wrong, gives each split 年度数据 cell the value series.csv has, and every
other formula of the visible sheets the value planeval cached.
Ends with "N passed, M failed".
"""
import csv
import math
import os
import shutil
import sys
import tempfile

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_workbook as cw  # noqa: E402

HELPERS = "计算辅助"


def most_args(formula):
    """The largest number of arguments of one function call in formula."""
    stack, best, quote = [], 0, None
    for ch in formula:
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            stack.append(1)
        elif ch == ")" and stack:
            best = max(best, stack.pop())
        elif ch == "," and stack:
            stack[-1] += 1
    return best


def limits(wb):
    longest = args = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    longest = max(longest, len(c.value))
                    args = max(args, most_args(c.value))
    cw.report(longest <= 8192, "the longest formula has %d characters (at most 8,192)" % longest)
    cw.report(args <= 255, "no function has more than 255 arguments (at most %d)" % args)


def split_cells(wb):
    """{(indicator id, year): coordinate} of 年度数据 cells that read helpers."""
    ws = wb["年度数据"]
    years = {c.column: c.value for c in ws[1] if isinstance(c.value, int)}
    cells = {}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.data_type == "f" and HELPERS in c.value and c.column in years:
                cells[(ws.cell(c.row, 1).value, years[c.column])] = c.coordinate
    return cells


def same(a, b):
    if cw.is_empty(a):
        return cw.is_empty(b)
    if isinstance(a, str):
        return a == b
    return isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def main(argv):
    use_lo = "--no-libreoffice" not in argv
    argv = [a for a in argv if a != "--no-libreoffice"]
    path, series = argv
    wb = openpyxl.load_workbook(path)
    wbv = openpyxl.load_workbook(path, data_only=True)
    limits(wb)
    hidden = HELPERS in wb.sheetnames and wb[HELPERS].sheet_state == "hidden"
    nhelpers = wb[HELPERS].max_row - 1 if HELPERS in wb.sheetnames else 0
    cw.report(hidden and nhelpers > 0, "the hidden sheet %s holds %d helper formulas" % (HELPERS, nhelpers))
    cells = split_cells(wb)
    want = {}
    with open(series, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["indicator_id"], int(row["year"]))
            if key in cells and row["state"] == "ok":
                want[key] = float(row["value"])
    cw.report(len(want) > 0, "%d split 年度数据 cells have a value in series.csv" % len(want))
    if use_lo and shutil.which("soffice"):
        profile = cw.make_lo_profile()
        out = tempfile.mkdtemp(prefix="recalc_split.")
        try:
            lo, _ = cw.lo_recalc(path, out, "", profile)
            if lo is not None:
                ws = lo["年度数据"]
                bad = ["%s %d: %r, series.csv %r" % (k[0], k[1], ws[cells[k]].value, v)
                       for k, v in sorted(want.items()) if not same(v, ws[cells[k]].value)]
                cw.report(want and not bad, "LibreOffice recalculates the %d split cells to series.csv's values"
                          % len(want), "; ".join(bad[:5]))
                total, bad = 0, []
                for s in wb.worksheets:
                    if s.sheet_state != "visible":
                        continue  # helpers cache no result (0): their worth is the cells reading them
                    for row in s.iter_rows():
                        for c in row:
                            if c.data_type == "f":
                                total += 1
                                a, b = wbv[s.title][c.coordinate].value, lo[s.title][c.coordinate].value
                                if not same(a, b):
                                    bad.append("%s!%s %r vs %r" % (s.title, c.coordinate, a, b))
                cw.report(total > 0 and not bad, "LibreOffice recalculates the other %d formulas of the visible sheets "
                          "to the cached values" % total, "; ".join(bad[:5]))
        finally:
            shutil.rmtree(profile, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
    else:
        print("skip: LibreOffice recalculation")
    print("%d passed, %d failed" % (cw.PASSED, cw.FAILED))
    return 1 if cw.FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
