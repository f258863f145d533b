"""roundtrip.py PLANEVAL PLAN REGION WORK [--libreoffice PROFILE]

The data-collection round trip for one plan, checked by independent readers:
  1. a template of the full data names the rows (hidden sheet _planeval);
  2. a copy of data/ loses every odd year's value of those rows (where the
     hand-written text is planeval's own number form; "308.0" stays held);
  3. a template of the copy: the blanked cells are open (unlocked, empty),
     the held ones locked and equal to the CSV;
  4. openpyxl types the hand-written values into the open cells (and, with
     --libreoffice, LibreOffice headless re-saves the workbook);
  5. planeval import into the copy changes exactly the blanked cells, and
     the copy's CSV files are byte-identical to the hand-written ones;
  6. a second import changes nothing.
Prints "ok ..." / "FAIL ..." lines."""
import filecmp
import os
import shutil
import subprocess
import sys
import time

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import csvcells  # noqa: E402

HEAD = 3         # 1-based row of the year headings
FIRST_YEAR_COL = 8


def report(ok, name, detail=""):
    print(("ok " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)[:400]))
    return ok


def layout(path):
    """sheet name -> (table, [keys]); and the years, from _planeval."""
    wb = openpyxl.load_workbook(path)
    m = wb["_planeval"]
    first, last = int(m.cell(1, 4).value), int(m.cell(1, 5).value)
    sheets, cur = {}, None
    for row in m.iter_rows(min_row=2, values_only=True):
        if row[0] == "sheet":
            cur = sheets.setdefault(row[1], (row[2], []))
        elif row[0] == "row":
            cur[1].append(row[2])
    return sheets, range(first, last + 1)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def blank_copy(data, copy, region, sheets, years, tables):
    if os.path.exists(copy):
        shutil.rmtree(copy)
    shutil.copytree(data, copy)
    blanked = []
    for table, keys in sheets.values():
        t = csvcells.Table(os.path.join(copy, region, tables[table]["file"]), tables[table]["layout"])
        for key in keys:
            for y in years:
                text = t.get(key, y)
                if y % 2 == 1 and text and csvcells.CANONICAL.fullmatch(text):
                    t.blank(key, y)
                    blanked.append((table, key, y))
        t.save()
    return blanked


def year_cells(wb, sheets, years, data, region, tables):
    """(sheet name, cell, CSV text of data/) for every year cell of every row."""
    for name, (table, keys) in sheets.items():
        t = csvcells.Table(os.path.join(data, region, tables[table]["file"]), tables[table]["layout"])
        for k, key in enumerate(keys):
            for j, y in enumerate(years):
                yield name, wb[name].cell(HEAD + 1 + k, FIRST_YEAR_COL + j), t.get(key, y), (table, key, y)


def check_template(path, sheets, years, copy, region, tables, blanked):
    wb = openpyxl.load_workbook(path)
    bl = set(blanked)
    bad = []
    for name, c, held, where in year_cells(wb, sheets, years, copy, region, tables):
        if where in bl and (c.value is not None or c.protection.locked):
            bad.append(("blanked cell not open", name, c.coordinate))
        if held and (c.value is None or abs(c.value - float(held)) > 1e-9 or not c.protection.locked):
            bad.append(("held cell", name, c.coordinate, held, c.value))
    for name in sheets:
        if not wb[name].protection.sheet:
            bad.append(("sheet not protected", name))
        if not wb[name].data_validations.dataValidation:
            bad.append(("no data validation", name))
    return bad


def fill(path, out, sheets, years, data, region, tables):
    wb = openpyxl.load_workbook(path)
    n = 0
    for _, c, text, _ in year_cells(wb, sheets, years, data, region, tables):
        if c.value is None and text:
            c.value = csvcells.number(text)
            n += 1
    wb.save(out)
    return n


def libreoffice(path, outdir, profile):
    r = subprocess.run(["soffice", "-env:UserInstallation=file://" + profile, "--headless",
                        "--norestore", "--convert-to", "xlsx", "--outdir", outdir, path],
                       capture_output=True, text=True, timeout=300)
    out = os.path.join(outdir, os.path.basename(path))
    return out if r.returncode == 0 and os.path.exists(out) else None


def same_region(a, b):
    cmp = filecmp.dircmp(a, b)
    return not (cmp.diff_files or cmp.left_only or cmp.right_only), cmp.diff_files + cmp.left_only + cmp.right_only


def main(argv):
    planeval, plan, region, work = argv[1:5]
    profile = argv[6] if len(argv) > 6 and argv[5] == "--libreoffice" else None
    data = "data"
    tables, _ = csvcells.dictionary(data)
    os.makedirs(work, exist_ok=True)
    full = os.path.join(work, "full.xlsx")
    r = run([planeval, "template", plan, "--out", full])
    if not report(r.returncode == 0, f"{plan}: template of the full data", r.stderr):
        return
    sheets, years = layout(full)
    copy = os.path.join(work, "data")
    blanked = blank_copy(data, copy, region, sheets, years, tables)
    report(len(blanked) > 0, f"{plan}: {len(blanked)} cells blanked in {len(sheets)} sheets")
    tpl = os.path.join(work, "template.xlsx")
    r = run([planeval, "template", plan, "--data", copy, "--out", tpl])
    if not report(r.returncode == 0, f"{plan}: template of the blanked copy", r.stderr):
        return
    bad = check_template(tpl, sheets, years, copy, region, tables, blanked)
    report(not bad, f"{plan}: blanked cells open, held cells locked and equal to the CSV", bad[:3])
    filled = os.path.join(work, "filled.xlsx")
    n = fill(tpl, filled, sheets, years, data, region, tables)
    report(n == len(blanked), f"{plan}: openpyxl filled {n} open cells", f"{n} != {len(blanked)}")
    variants = [("openpyxl", filled)]
    if profile:
        # planeval's own workbook opens in LibreOffice and, re-saved unfilled, changes nothing
        lo_tpl = libreoffice(tpl, os.path.join(work, "lo-template"), profile)
        if report(lo_tpl is not None, f"{plan}: LibreOffice opened and re-saved the template"):
            blank_copy(data, copy, region, sheets, years, tables)
            r = run([planeval, "import", lo_tpl, "--data", copy])
            report(r.returncode == 0 and " 0 cells changed" in r.stdout,
                   f"{plan}: the unfilled template re-saved by LibreOffice imports as no change",
                   r.stderr or r.stdout[-300:])
        lo = libreoffice(filled, os.path.join(work, "lo"), profile)
        if report(lo is not None, f"{plan}: LibreOffice re-saved the filled workbook"):
            variants.append(("LibreOffice", lo))
    for who, path in variants:
        blank_copy(data, copy, region, sheets, years, tables)
        t0 = time.monotonic()
        r = run([planeval, "import", path, "--data", copy])
        ms = (time.monotonic() - t0) * 1000
        changed = sum(1 for line in r.stdout.splitlines() if " -> " in line)
        report(r.returncode == 0 and changed == len(blanked),
               f"{plan}: import of the {who} workbook changes {changed} cells ({ms:.0f} ms)",
               r.stderr or r.stdout[-300:])
        same, diff = same_region(os.path.join(data, region), os.path.join(copy, region))
        report(same, f"{plan}: {who} round trip gives the hand-written CSV files byte for byte", diff)
        r = run([planeval, "import", path, "--data", copy])
        report(r.returncode == 0 and " 0 cells changed" in r.stdout,
               f"{plan}: a second import of the {who} workbook changes nothing", r.stdout[-300:])


if __name__ == "__main__":
    main(sys.argv)
