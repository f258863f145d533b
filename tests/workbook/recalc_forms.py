#!/usr/bin/env python3
"""tests/workbook/recalc_forms.py WORKBOOK INDICATOR:TARGET...

The e2e fixture's workbook holds every target form (amounts, falling and
rising, restated): LibreOffice recalculates it to the values planeval
cached (check_workbook.check_recalc), and the 指标 verdict of each named
target (A3:3 = indicator A3, its third target) is live, a formula, or
fixed and marked as such (IND:K=f: must be a formula). Ends with "N passed, M failed".
"""
import os
import shutil
import sys

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_workbook as cw  # noqa: E402


def verdict_cells(wb, wbv, ind, k):
    """The 指标 row of target k of ind: {header: (cell, cached value)}."""
    ws, wsv = wb["指标"], wbv["指标"]
    head = None
    for row in ws.iter_rows(max_row=10):
        names = [c.value for c in row]
        if "评估结论" in names:
            head = (row[0].row, names)
            break
    if not head:
        return None
    r0, names = head
    for r in range(r0 + 1, ws.max_row + 1):
        vals = [ws.cell(r, j + 1).value for j in range(len(names))]
        if ind in [str(v) for v in vals[:3]] and str(k) in [str(v) for v in vals[:3]]:
            return {n: (ws.cell(r, j + 1), wsv.cell(r, j + 1).value) for j, n in enumerate(names) if n}
    return None


def main(argv):
    path, targets = argv[0], argv[1:]
    wb = openpyxl.load_workbook(path)
    wbv = openpyxl.load_workbook(path, data_only=True)
    for t in targets:
        # "A3:5=f": that verdict must be a formula (a form the live model covers)
        t, _, must = t.partition("=")
        ind, k = t.split(":")
        cells = verdict_cells(wb, wbv, ind, k)
        if not cw.report(cells is not None, "fixture: %s target %s has its 指标 row" % (ind, k)):
            continue
        cell, cached = cells["评估结论"]
        if must == "f":
            cw.report(cell.data_type == "f", "fixture: %s target %s verdict %r is a formula"
                      % (ind, k, cached), str(cell.value)[:80])
            continue
        cw.report(cell.data_type == "f" or cell.font.i,
                  "fixture: %s target %s verdict %r is a formula or marked fixed (italic)"
                  % (ind, k, cached))
    if shutil.which("soffice"):
        prof = cw.make_lo_profile()
        try:
            cw.check_recalc(path, wb, wbv, "fixture: ", prof)
        finally:
            shutil.rmtree(prof, ignore_errors=True)
    print("%d passed, %d failed" % (cw.PASSED, cw.FAILED))
    return 1 if cw.FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
