"""badbooks.py PLANEVAL WORK

Broken data-collection workbooks, each refused by `planeval import` with a
located message (sheet and cell, or the zip entry), a non-zero status, and
not one byte of data/ changed. The base: the template of huantai-2021-2025
with a 2026 column (all open), filled by openpyxl with the 2025 figures;
that base imports cleanly (checked first, into its own copy).
Prints "ok ..." / "FAIL ..." lines."""
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile

import openpyxl
from openpyxl.styles import Protection

PLAN, REGION = "huantai-2021-2025", "huantai"
HEAD, FIRST_COL = 3, 8
ECON = "经济与人口"
YEAR = 2026
COL = FIRST_COL + (YEAR - 2016)          # the open 2026 column
COLL = openpyxl.utils.get_column_letter(COL)


def report(ok, name, detail=""):
    print(("ok " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)[:500]))
    return ok


def digest(d):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(d)):
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(p.encode())
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def make_base(planeval, work):
    tpl = os.path.join(work, "template.xlsx")
    subprocess.run([planeval, "template", PLAN, "--year", str(YEAR), "--out", tpl], check=True,
                   capture_output=True)
    wb = openpyxl.load_workbook(tpl)
    for ws in wb.worksheets:
        if ws.title in ("填报说明", "_planeval"):
            continue
        for r in range(HEAD + 1, ws.max_row + 1):
            prev = ws.cell(r, COL - 1).value
            if ws.cell(r, 1).value and prev is not None:
                ws.cell(r, COL).value = prev
    base = os.path.join(work, "base.xlsx")
    wb.save(base)
    return base


# ---- mutations by openpyxl: (name, function(wb), expected text) ----

def rename_sheet(wb):
    wb[ECON].title = "经济"


def delete_sheet(wb):
    del wb["自然灾害"]


def swap_rows(wb):
    ws = wb[ECON]
    for c in range(1, ws.max_column + 1):
        a, b = ws.cell(HEAD + 1, c), ws.cell(HEAD + 2, c)
        a.value, b.value = b.value, a.value


def insert_row(wb):
    wb[ECON].insert_rows(HEAD + 2)


def delete_year_col(wb):
    wb[ECON].delete_cols(FIRST_COL + 2)


def setter(value, sheet=ECON, row=HEAD + 1, fmt=None):
    def f(wb):
        c = wb[sheet].cell(row, COL)
        c.value = value
        if fmt:
            c.number_format = fmt
    return f


def merge(wb):
    wb[ECON].merge_cells(start_row=HEAD + 1, start_column=COL - 1, end_row=HEAD + 1, end_column=COL)


def below_table(wb):
    ws = wb[ECON]
    ws.cell(ws.max_row + 2, COL).value = 123


def drop_meta(wb):
    del wb["_planeval"]


def moved_meta_years(wb):
    wb["_planeval"].cell(1, 4).value = 2015


SHEET_CASES = [
    ("wrong-sheet-renamed", rename_sheet, "sheet '经济与人口': missing"),
    ("sheet-deleted", delete_sheet, "sheet '自然灾害': missing"),
    ("moved-rows", swap_rows, f"sheet '{ECON}' cell A4: this row should be 'gdp'"),
    ("inserted-row", insert_row, f"sheet '{ECON}' cell A5: this row should be"),
    ("deleted-year-column", delete_year_col, f"sheet '{ECON}' cell J3: the year heading should be 2018"),
    ("text-in-number-cell", setter("不详"), f"sheet '{ECON}' cell {COLL}4: gdp: '不详' is not a number"),
    ("estimate-in-number-cell", setter("约650"), f"cell {COLL}4: gdp: '约650' is not a number (a bound"),
    ("unit-after-number", setter("650亿元"), f"cell {COLL}4: gdp: '650亿元' is not a number (write the number alone"),
    ("bad-thousands-separator", setter("1,23"), f"cell {COLL}4: gdp: '1,23' is not a number (thousands separators"),
    ("percent-text-not-share", setter("85%"), f"cell {COLL}4: gdp: '85%' is not a number ('%' is allowed only on a share"),
    ("percent-format-not-share", setter(0.5, row=HEAD + 2, fmt="0%"), f"cell {COLL}5: 0.5 is formatted as a percentage"),
    ("negative-count", setter(-3, row=HEAD + 2), f"cell {COLL}5: pop_resident: -3 must be a whole number >= 0"),
    ("fractional-count", setter(2.5, row=HEAD + 2), f"cell {COLL}5: pop_resident: 2.5 must be a whole number"),
    ("boolean-in-number-cell", setter(True), f"cell {COLL}4: a TRUE/FALSE value is not a number"),
    ("formula-in-input", setter("=600+50"), f"cell {COLL}4: a formula in an input cell"),
    ("merged-cells", merge, f"sheet '{ECON}' cell {openpyxl.utils.get_column_letter(COL - 1)}4: merged cells"),
    ("value-below-table", below_table, f"sheet '{ECON}' cell {COLL}"),
    ("layout-sheet-deleted", drop_meta, "no sheet '_planeval'"),
    ("layout-years-changed", moved_meta_years, f"cell H3: the year heading should be 2015"),
]


# ---- mutations of the zip container: (name, function(base, out), expected) ----

def rezip(base, out, edit):
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = edit(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data)
        extra = edit(None, None)
        for name, data in extra or []:
            zout.writestr(name, data)


def zip_bomb(base, out):
    # ~50 MB of zeros in one entry; the file stays about 50 KB
    rezip(base, out, lambda n, d: [("xl/media/zeros.bin", b"\0" * (50 * 1024 * 1024))] if n is None else d)


def sheet_bomb(base, out):
    pad = b" " * (48 * 1024 * 1024)
    rezip(base, out, lambda n, d: None if n is None else
          (d.replace(b"<sheetData>", pad + b"<sheetData>", 1) if n == "xl/worksheets/sheet2.xml" else d))


def traversal(base, out):
    rezip(base, out, lambda n, d: [("../../evil.csv", b"year,gdp\n")] if n is None else d)


def absolute(base, out):
    rezip(base, out, lambda n, d: [("/etc/evil.csv", b"x")] if n is None else d)


def no_shared_strings_part(base, out):
    rezip(base, out, lambda n, d: None if n == "xl/sharedStrings.xml" else d)


def no_shared_strings_at_all(base, out):
    def edit(n, d):
        if n == "xl/sharedStrings.xml":
            return None
        if n == "xl/_rels/workbook.xml.rels":
            import re
            return re.sub(rb'<Relationship[^>]*sharedStrings[^>]*/>', b"", d)
        return d
    rezip(base, out, edit)


def truncated(base, out):
    with open(base, "rb") as f:
        data = f.read()
    with open(out, "wb") as f:
        f.write(data[: len(data) // 2])


def not_zip(base, out):
    with open(out, "w", encoding="utf-8") as f:
        f.write("year,gdp\n2026,650\n")


def crc_damage(base, out):
    # store the sheet uncompressed, then flip a byte of its data: the CRC no longer matches
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename), zipfile.ZIP_STORED)
    with open(out, "r+b") as f:
        data = f.read()
        at = data.index(b"<sheetData>") + 3
        f.seek(at)
        f.write(b"X")


def bad_xml(base, out):
    rezip(base, out, lambda n, d: None if n is None else
          (d.replace(b"</sheetData>", b"<row></sheetData>", 1) if n == "xl/worksheets/sheet2.xml" else d))


def doctype(base, out):
    dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    rezip(base, out, lambda n, d: None if n is None else
          (d.replace(b"?>", b"?>" + dtd, 1) if n == "xl/sharedStrings.xml" else d))


ZIP_CASES = [
    # (openpyxl writes inline strings: the shared-strings cases start from planeval's own file)
    ("zip-bomb-50MB", zip_bomb, "unpack to", "base"),
    ("zip-bomb-in-sheet", sheet_bomb, "unpack to", "base"),
    ("path-traversal-entry", traversal, "zip entry '../../evil.csv': an absolute or '..' path", "base"),
    ("absolute-entry", absolute, "zip entry '/etc/evil.csv'", "base"),
    ("missing-sharedStrings-part", no_shared_strings_part, "zip entry 'xl/sharedStrings.xml' is missing", "template"),
    ("missing-sharedStrings", no_shared_strings_at_all, "sheet '填报说明' cell A1: refers to shared string", "template"),
    ("corrupt-zip-truncated", truncated, "not an .xlsx workbook", "base"),
    ("not-a-zip", not_zip, "not an .xlsx workbook", "base"),
    ("crc-mismatch", crc_damage, "damaged", "base"),
    ("xml-not-well-formed", bad_xml, "xl/worksheets/sheet2.xml:", "base"),
    ("xml-doctype-entities", doctype, "a document type declaration is not allowed", "template"),
]


def main(argv):
    planeval, work = argv[1], argv[2]
    os.makedirs(work, exist_ok=True)
    base = make_base(planeval, work)
    data = os.path.join(work, "data")
    shutil.copytree("data", data)
    ok_copy = os.path.join(work, "data-ok")
    shutil.copytree("data", ok_copy)
    r = subprocess.run([planeval, "import", base, "--data", ok_copy], capture_output=True, text=True)
    report(r.returncode == 0 and " -> " in r.stdout, "the base workbook imports cleanly", r.stderr)
    added = [l for l in r.stdout.splitlines() if f": {YEAR} " in l and "(empty) -> " in l]
    report(len(added) > 0 and len(added) == r.stdout.count(" -> "),
           f"the base adds {len(added)} cells of {YEAR}, each shown as (empty) -> value", r.stdout[-300:])
    r = subprocess.run([planeval, "check", PLAN, "--data", ok_copy], capture_output=True, text=True)
    report(r.returncode == 0, f"the data with {YEAR} added pass planeval check", r.stderr[-500:])
    before = digest(data)
    r = subprocess.run([planeval, "import", base, "--data", data, "--dry-run"], capture_output=True, text=True)
    report(r.returncode == 0 and " -> " in r.stdout and "--dry-run: nothing written" in r.stdout
           and digest(data) == before, "--dry-run shows the changes and writes nothing", r.stdout[-300:])
    cases = []
    for name, mutate, expect in SHEET_CASES:
        wb = openpyxl.load_workbook(base)
        mutate(wb)
        path = os.path.join(work, name + ".xlsx")
        wb.save(path)
        cases.append((name, path, expect))
    for name, make, expect, start in ZIP_CASES:
        path = os.path.join(work, name + ".xlsx")
        make(base if start == "base" else os.path.join(work, "template.xlsx"), path)
        cases.append((name, path, expect))
    for name, path, expect in cases:
        r = subprocess.run([planeval, "import", path, "--data", data], capture_output=True, text=True)
        size = os.path.getsize(path)
        report(r.returncode == 1 and expect in r.stderr and "nothing written" in r.stderr,
               f"bad workbook {name} ({size} bytes): refused with '{expect}'", r.stderr.strip())
    report(digest(data) == before, f"{len(cases)} bad workbooks: data/ unchanged")


if __name__ == "__main__":
    main(sys.argv)
