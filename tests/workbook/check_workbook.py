#!/usr/bin/python3
"""Independent checks of planeval's Excel workbooks (docs/workbook.md).

usage: check_workbook.py [--templates DIR] [--no-libreoffice] [--sde-dir DIR] OUT_A OUT_B

OUT_A and OUT_B are two `planeval run --out` directories written from the
same inputs. Every out/<plan-id>/ of OUT_A must hold <plan-id>.xlsx next to
its series.csv and assessment.csv. The workbooks are read with Debian's
python3-openpyxl (and unzipped for the parts openpyxl does not model) and
compared with the CSV files (and 总览 with page 1 of brief.pdf, read with
pdftotext -raw: the first key finding, the summary sentence and the
counts table); a copy whose cached formula results have all
been overwritten is recalculated by LibreOffice headless, which must give
back the cached values. --sde-dir is a third run made with
SOURCE_DATE_EPOCH=1700000000 (of one plan or more).

Prints one line per check and ends with "N passed, M failed"; exits 1 on
any failure.
"""
import csv
import hashlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

import openpyxl

PASSED = 0
FAILED = 0


def report(ok, what, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("ok - " + what)
    else:
        FAILED += 1
        print("FAIL - " + what + (": " + detail if detail else ""))
    return ok


def read_wording(path):
    """The sections of a labels-style YAML file: {section: {code: text}}."""
    sections, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^([A-Za-z_][\w]*):\s*$", line)
            if m:
                cur = sections.setdefault(m.group(1), {})
                continue
            m = re.match(r'^\s+("[^"]*"|[^:]+):\s?(.*)$', line)
            if m and cur is not None:
                code = m.group(1).strip().strip('"')
                text = m.group(2).strip()
                if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
                    text = text[1:-1]
                cur[code] = text
    return sections


def read_outlooks(path):
    """findings.yaml words.outlook: {code: word}, in the file's order."""
    words, inside = {}, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if re.match(r"^  outlook:\s*$", line):
                inside = True
                continue
            if inside:
                m = re.match(r"^    (\w+):\s*(\S+)\s*$", line)
                if m:
                    words[m.group(1)] = m.group(2).strip("\"'")
                elif line.strip() and not line.lstrip().startswith("#"):
                    break
    return words


# assessment.csv columns 指标 leaves out (src/workbook.c program_columns, dropped_columns).
PROGRAM_COLUMNS = (
    "forecast_model", "forecast_value", "forecast_lower_80", "forecast_upper_80",
    "forecast_lower_95", "forecast_upper_95", "probability_met", "forecast_status",
    "forecast_status_zh", "forecast_note", "pace_task_share", "pace_time_share", "pace_ratio",
    "sdg_ratio", "sdg_method", "sdg_progress", "required_annual_change", "recent_annual_change",
    "ci_lower_95", "ci_upper_95", "ci_vs_target", "allowance", "sensitivity_year",
    "sensitivity_period_mean", "sensitivity_period_total", "sensitivity")
DROPPED_COLUMNS = ("status", "outlook", "severity", "plan_id", "stage", "evaluation_year", "region",
                   "region_name", "catalogue", "catalogue_name", "definition", "plan_title")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def num_equal(a, b, rel=1e-12):
    if a == b:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b))


def is_empty(v):
    return v is None or v == ""


def cell_matches(csv_text, value, rel=1e-12):
    if csv_text == "":
        return is_empty(value)
    if is_empty(value) or isinstance(value, str):
        return False
    return num_equal(float(csv_text), float(value), rel)


def header_map(ws, row=1):
    """Header text -> column number (the first column of that name)."""
    heads = {}
    for c in ws[row]:
        if c.value is not None and c.value not in heads:
            heads[c.value] = c.column
    return heads


# What a reader must not meet on 总览: the rules tests/editorial applies to
# the PDFs (internal ids, identifiers, file names, the program's name,
# English words, float noise), taken from there so that both agree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "editorial"))
from check import ASCII_ALLOW, ASCII_RULES as READER_RULES  # noqa: E402


def reader_problems(value):
    """What in a cell's value a reader should not see: [(rule, text)]."""
    if isinstance(value, float) and value != round(value, 6):
        return [("float noise", repr(value))]
    if not isinstance(value, str) or value.startswith("="):
        return []
    t = value
    for a in ASCII_ALLOW:
        t = t.replace(a, " ")
    return [(name, m.group(0)) for name, rx in READER_RULES for m in [rx.search(t)] if m]


def squash(s):
    return re.sub(r"\s+", "", s or "")


def brief_page1(plan_dir):
    """Page 1 of brief.pdf as `pdftotext -raw` lines, or None without the brief or pdftotext."""
    path = os.path.join(plan_dir, "brief.pdf")
    if not os.path.exists(path) or not shutil.which("pdftotext"):
        return None
    r = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "1", path, "-"],
                       capture_output=True, text=True)
    return r.stdout.splitlines() if r.returncode == 0 else None


def brief_first_problem(lines):
    """The first key finding of the brief: the "1. " item's sentence, up to its
    full stop (a wrapped line may begin with "（", as a doubt's does), or up
    to its doubt or countermeasure."""
    for i, line in enumerate(lines):
        if line.startswith("1. "):
            text = line[3:]
            for more in lines[i + 1:]:
                if squash(text).endswith("。") or \
                        re.match(r"^(\d+\. |对策：|说明：|[一二三四五六七八九十]+、)", more):
                    break
                text += more
            return squash(text)
    return None


def brief_counts(lines, outlooks, total_word):
    """The brief's 总体情况 table: {outlook word: count} of its 合计 row, or of its only row."""
    for i, line in enumerate(lines):
        heads = [re.sub(r"^[^\u4e00-\u9fff]+", "", tok) for tok in line.split()]
        cols = [h for h in heads if h in outlooks]
        if len(cols) < 2:
            continue
        rows = []
        for more in lines[i + 1:]:
            toks = more.split()
            if len(toks) == len(cols) + 2 and all(t.isdigit() for t in toks[1:]):
                rows.append(toks)
            else:
                break
        if not rows:
            return None
        row = next((r for r in rows if r[0] == total_word), rows[0] if len(rows) == 1 else None)
        return {c: int(row[1 + k]) for k, c in enumerate(cols)} if row else None
    return None


def check_overview(wb, wbv, plan_dir, assessment, wording, pre):
    """总览: the targets in the findings' rank order, in the findings' words."""
    ow = wording["overview"]
    outlooks = list(wording["_outlooks"].values())
    wo = wb[wording["sheet"]["overview"]]
    wov = wbv[wording["sheet"]["overview"]]
    head_row = next((r for r in range(1, 12) if wo.cell(row=r, column=1).value == ow["rank"]), None)
    if not report(head_row is not None, pre + "总览 header row (%s ...)" % ow["rank"]):
        return
    oh = header_map(wo, head_row)
    want = [ow[k] for k in ("rank", "name", "type", "target_year", "target", "figure", "gap",
                            "outlook", "problem", "action", "department", "remarks")]
    got = [wo.cell(row=head_row, column=c).value for c in range(1, len(want) + 1)]
    report(got == want, pre + "总览 columns " + " ".join(want), str(got))
    col = {k: oh.get(ow[k]) for k in ("rank", "name", "target_year", "outlook", "problem", "type")}
    first = head_row + 1
    rows = [r for r in range(first, wo.max_row + 1)
            if wov.cell(row=r, column=col["outlook"]).value in outlooks]
    report(len(rows) == len(assessment) and rows == list(range(first, first + len(rows))),
           pre + "总览 lists every target (%d)" % len(rows), "%d rows" % len(rows))

    # Rank order: ranked targets first (1, 2, ...), then the rest in plan order, as assessment.csv ranks them.
    def key(i_a):
        i, a = i_a
        return (0, int(a["rank"]), i) if a.get("rank") else (1, 0, i)
    ordered = [a for _, a in sorted(enumerate(assessment), key=key)]
    seen = [(wo.cell(row=r, column=col["name"]).value, wo.cell(row=r, column=col["target_year"]).value,
             wov.cell(row=r, column=col["outlook"]).value, wo.cell(row=r, column=col["rank"]).value)
            for r in rows]
    expect = [(a["name"], int(a["target_year"]), a.get("outlook_zh"), int(a["rank"]) if a.get("rank") else None)
              for a in ordered]
    bad = [(k, s, e) for k, (s, e) in enumerate(zip(seen, expect)) if s != e]
    report(not bad and len(seen) == len(expect), pre + "总览 rows in rank order (%d ranked)"
           % sum(1 for a in assessment if a.get("rank")), str(bad[:3]))

    # The first row is the brief's first key finding.
    lines = brief_page1(plan_dir)
    if lines is not None:
        brief_first = brief_first_problem(lines)
        row1 = squash(wo.cell(row=first, column=col["problem"]).value)
        report(brief_first is not None and row1 == brief_first,
               pre + "总览 row 1 is the brief's first key finding",
               "总览: %s / brief: %s" % (row1[:60], (brief_first or "(none)")[:60]))
        # The summary sentence under the title is the brief's.
        overall = squash(wo.cell(row=2, column=1).value)
        report(overall != "" and overall in squash("".join(lines)),
               pre + "总览 row 2 is the brief's summary sentence", overall[:60])

    # Nothing a reader should not see: ids, identifiers, English, float noise.
    leaks = []
    for row in wo.iter_rows():
        for c in row:
            for rule, text in reader_problems(c.value):
                leaks.append("%s %s %r" % (c.coordinate, rule, text))
    report(not leaks, pre + "总览 has no ids, identifiers, English or float noise", "; ".join(leaks[:5]))

    # Outlook cells coloured by conditional formatting on the text, no static fill.
    formulas = []
    for cf in wo.conditional_formatting:
        for rule in cf.rules:
            formulas.extend(rule.formula or [])
    lack = [t for t in outlooks if '"%s"' % t not in formulas]
    report(not lack, pre + "总览 conditional formatting keyed on every outlook word", ",".join(lack))
    static = [wo.cell(row=r, column=col["outlook"]).coordinate for r in rows
              if wo.cell(row=r, column=col["outlook"]).fill is not None and
              wo.cell(row=r, column=col["outlook"]).fill.fill_type not in (None, "none")]
    report(not static, pre + "总览 outlook cells have no static fill", ",".join(static[:5]))
    report(wo.freeze_panes is not None and wo.auto_filter.ref is not None,
           pre + "总览 frozen header and autofilter")

    # The counts table: outlook word, then the count of all targets (a COUNTIF formula).
    counts = {}
    for r in range(first, wov.max_row + 1):
        for c in range(col["outlook"] + 1, wov.max_column):
            if wov.cell(row=r, column=c).value in outlooks and \
                    isinstance(wov.cell(row=r, column=c + 1).value, int):
                counts[wov.cell(row=r, column=c).value] = wov.cell(row=r, column=c + 1).value
    want_counts = {}
    for a in assessment:
        want_counts[a["outlook_zh"]] = want_counts.get(a["outlook_zh"], 0) + 1
    report(set(counts) <= set(outlooks) and all(counts.get(k, 0) == want_counts.get(k, 0) for k in outlooks)
           and sum(counts.values()) == len(assessment), pre + "总览 counts by outlook", str(counts))
    if lines is not None:
        bc = brief_counts(lines, outlooks, wording.get("_brief_total", ""))
        report(bc is not None and all(counts.get(k) == v for k, v in bc.items()) and
               all(v == 0 for k, v in counts.items() if k not in bc),
               pre + "总览 counts equal the brief's table", "brief %s, 总览 %s" % (bc, counts))
        # one set of words for the stage: the brief's columns, in its order
        order = [w for w in outlooks if w in counts]
        report(bc is not None and order == [w for w in outlooks if w in bc],
               pre + "总览 outlook words are the brief's (%s)" % " ".join(order),
               "brief %s" % (list(bc) if bc else None))


# The namespace of the root element of each kind of part (ECMA-376 part 1).
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROOTS = [(r"xl/worksheets/sheet\d+\.xml$", SML, "worksheet"), (r"xl/workbook\.xml$", SML, "workbook"),
         (r"xl/styles\.xml$", SML, "styleSheet"), (r"xl/sharedStrings\.xml$", SML, "sst"),
         (r"xl/charts/chart\d+\.xml$", "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "chartSpace"),
         (r"xl/drawings/drawing\d+\.xml$",
          "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing", "wsDr"),
         (r".*\.rels$", "http://schemas.openxmlformats.org/package/2006/relationships",
          "Relationships"),
         (r"\[Content_Types\]\.xml$", "http://schemas.openxmlformats.org/package/2006/content-types",
          "Types")]


def check_parts(path, pre):
    """Every XML part is well-formed (xmllint), its root element the one its
    name calls for, declared in [Content_Types].xml, and every relationship
    points at a part in the file. Debian has no ECMA-376 schemas (XSD) to
    validate against (docs/workbook.md), so this is the check available."""
    import xml.etree.ElementTree as ET
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        parts = {n: z.read(n) for n in names}
    bad = []
    if shutil.which("xmllint"):
        for n, data in parts.items():
            if n.endswith((".xml", ".rels")):
                r = subprocess.run(["xmllint", "--noout", "-"], input=data, capture_output=True)
                if r.returncode != 0:
                    bad.append("%s: %s" % (n, r.stderr.decode(errors="replace")[:120]))
    report(shutil.which("xmllint") is not None and not bad,
           pre + "every XML part well-formed (xmllint, %d parts)" % len(parts), "; ".join(bad[:3]))
    bad = []
    types = ET.fromstring(parts["[Content_Types].xml"])
    ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {e.get("Extension") for e in types.iter(ct + "Default")}
    overrides = {e.get("PartName").lstrip("/") for e in types.iter(ct + "Override")}
    for n, data in parts.items():
        if n not in overrides and n.rsplit(".", 1)[-1] not in defaults:
            bad.append(n + ": no content type")
        for pat, ns, tag in ROOTS:
            if re.match(pat, n):
                try:
                    root = ET.fromstring(data).tag
                except ET.ParseError as e:
                    root = "unreadable (%s)" % e
                if root != "{%s}%s" % (ns, tag):
                    bad.append("%s: root %s" % (n, root))
        if n.endswith(".rels"):
            base = os.path.dirname(os.path.dirname(n))
            try:
                rels = list(ET.fromstring(data))
            except ET.ParseError:
                rels = []  # reported above
            for rel in rels:
                if rel.get("TargetMode") == "External":
                    continue
                t = rel.get("Target")
                t = t.lstrip("/") if t.startswith("/") else os.path.normpath(os.path.join(base, t))
                if t not in parts:
                    bad.append("%s: %s missing" % (n, t))
    report(not bad, pre + "parts typed, roots as named, relationships resolve", "; ".join(bad[:3]))


def check_plan(plan_dir, other_dir, sde_dir, wording, labels, use_lo, lo_profile):
    plan_id = os.path.basename(plan_dir.rstrip("/"))
    path = os.path.join(plan_dir, plan_id + ".xlsx")
    pre = plan_id + ": "
    if not report(os.path.exists(path), pre + "workbook written", path):
        return
    sheet = wording["sheet"]
    wb = openpyxl.load_workbook(path)
    wbv = openpyxl.load_workbook(path, data_only=True)
    series = read_csv(os.path.join(plan_dir, "series.csv"))
    assessment = read_csv(os.path.join(plan_dir, "assessment.csv"))

    # Sheets named in Chinese, in order.
    want = [sheet[k] for k in ("overview", "indicators", "yearly", "inputs", "chartdata",
                               "forecast", "charts", "milestones", "notes")]
    # and 变化, the changes since the previous run, last (templates/changes.yaml)
    if wording.get("_changes_sheet"):
        want.append(wording["_changes_sheet"])
    report(wb.sheetnames == want, pre + "sheets " + " ".join(want), str(wb.sheetnames))
    if wb.sheetnames != want:
        return

    # Document properties.
    props = wb.properties
    report(bool(props.title) and props.title.endswith(wording["props"]["title_suffix"]) and
           assessment[0]["evaluation_year"] in (props.subject or ""),
           pre + "document title and subject", "%s / %s" % (props.title, props.subject))
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode()
        custom = z.read("docProps/custom.xml").decode() if "docProps/custom.xml" in z.namelist() else ""
        charts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n))
        chart_xml = {n: z.read(n).decode() for n in charts}
        entries = [(i.filename, i.date_time) for i in z.infolist()]
    report(plan_id in custom and plan_id in (props.keywords or ""), pre + "plan id in properties")
    check_parts(path, pre)
    year = assessment[0]["evaluation_year"]
    report("<dcterms:created xsi:type=\"dcterms:W3CDTF\">%s-12-31T00:00:00Z" % year in core,
           pre + "created date is 31 December of the evaluation year")
    report(all(dt == (1980, 1, 1, 0, 0, 0) for _, dt in entries), pre + "zip entries carry no clock time")

    # 指标: every assessment column but the program's (forecasts, statistical
    # checks: on 预测) and the English codes of live words, every row, the same
    # values; the live figures as formulas over 年度数据.
    ws = wb[sheet["indicators"]]
    wsv = wbv[sheet["indicators"]]
    heads = header_map(wsv)
    cols = {}
    missing = []
    for code in assessment[0].keys():
        zh = wording["assessment"].get(code, code)
        if zh in heads:
            cols[code] = heads[zh]
        elif code not in PROGRAM_COLUMNS and code not in DROPPED_COLUMNS:
            missing.append(code)
    report(not missing, pre + "指标 has every assessment.csv column but the program's", ",".join(missing))
    moved = [c for c in PROGRAM_COLUMNS if wording["assessment"].get(c, c) in heads]
    report(not moved, pre + "指标 holds no forecast or probability", ",".join(moved))
    nrows = next((r - 2 for r in range(2, wsv.max_row + 2) if wsv.cell(row=r, column=1).value is None),
                 wsv.max_row - 1)
    report(nrows == len(assessment), pre + "指标 has one row per target",
           "%d rows, %d targets" % (nrows, len(assessment)))
    na_word = labels["status"]["not_applicable"]
    bad, noisy = [], []
    for i, row in enumerate(assessment):
        for code, col in cols.items():
            v = wsv.cell(row=i + 2, column=col).value
            t = row[code]
            if code == "detail":
                noisy += ["%s: %s %r" % (row["indicator_id"], r, x) for r, x in reader_problems(v)]
                continue
            if code == "progress":
                continue  # the verdict so far, in words (the csv has a code)
            if code == "change_pct" and isinstance(v, (int, float)):
                ok = t != "" and num_equal(float(t), float(v), 1e-6)  # the csv rounds it
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ok = t != "" and num_equal(float(t), float(v))
            elif v == na_word and code in ("current_value", "baseline_value"):
                ok = t == "" and row["status"] in ("not_applicable", "not_yet_due")
            else:
                ok = (v or "") == t
            if not ok:
                bad.append("%s/%s: %r vs %r" % (row["indicator_id"], code, v, t))
    report(not bad, pre + "指标 values equal assessment.csv", "; ".join(bad[:5]))
    report(not noisy, pre + "指标 判断依据 in the findings' Chinese words", "; ".join(noisy[:3]))
    # Number formats show the plan's figures: a target of 0.85 is not shown as 1.
    hidden = []
    for i, row in enumerate(assessment):
        if row["kind"] != "quantitative" or "target_value" not in cols or not row["target_value"]:
            continue
        c = ws.cell(row=i + 2, column=cols["target_value"])
        shown = len(c.number_format.split(".")[1]) if "." in c.number_format else 0
        need = len(row["target_value"].split(".")[1]) if "." in row["target_value"] else 0
        if c.number_format != "General" and shown < need:
            hidden.append("%s %s as %s" % (row["indicator_id"], row["target_value"], c.number_format))
    report(not hidden, pre + "指标 targets shown with their decimals", "; ".join(hidden[:5]))
    live_cols = [cols[c] for c in ("current_value", "status_zh") if c in cols]
    nlive = sum(1 for r in range(2, nrows + 2) for c in live_cols
                if ws.cell(row=r, column=c).data_type == "f")
    nquant = sum(1 for a in assessment if a["kind"] == "quantitative")
    report(nlive > nquant // 2, pre + "指标 current values and verdicts are formulas (%d)" % nlive)
    report(ws.freeze_panes is not None and ws.auto_filter.ref is not None,
           pre + "指标 frozen header and autofilter")

    # 年度数据: cached values equal series.csv; formulas over 原始数据.
    ws = wb[sheet["yearly"]]
    wsv = wbv[sheet["yearly"]]
    yw = wording["yearly"]
    years = {c.value: c.column for c in wsv[1] if isinstance(c.value, int)}
    rows = {}
    for r in range(2, wsv.max_row + 1):
        key = (wsv.cell(row=r, column=1).value, wsv.cell(row=r, column=3).value)
        rows[key] = r
    forecasts = [s for s in series if s.get("kind") == "forecast"]
    series = [s for s in series if s.get("kind", "observed") != "forecast"]
    bad, nvalues = [], 0
    for s in series:
        y = int(s["year"])
        for part, colname in (("value", "value"), ("numerator", "numerator"),
                              ("denominator", "denominator")):
            if part != "value" and s["numerator"] == "" and s["denominator"] == "" and s["scale"] == "":
                continue
            r = rows.get((s["indicator_id"], yw[part]))
            if r is None or y not in years:
                bad.append("%s %s %d: no cell" % (s["indicator_id"], part, y))
                continue
            v = wsv.cell(row=r, column=years[y]).value
            nvalues += 1
            if v == labels["status"]["not_applicable"] and s["state"] == "not_applicable":
                continue
            if not cell_matches(s[colname], v):
                bad.append("%s %s %d: %r vs %r" % (s["indicator_id"], part, y, v, s[colname]))
    report(not bad and nvalues > 0, pre + "年度数据 cached values equal series.csv (%d cells)" % nvalues,
           "; ".join(bad[:5]))
    inputs_name = sheet["inputs"]
    nformula, uncommented, errors = 0, [], []
    for r in range(2, ws.max_row + 1):
        for y, c in years.items():
            cell = ws.cell(row=r, column=c)
            if cell.value is None and cell.comment is None:
                continue
            if cell.data_type == "f" and ("'%s'!" % inputs_name) in cell.value:
                nformula += 1
            elif cell.data_type == "f":
                errors.append(cell.coordinate + " formula not over " + inputs_name)
            elif cell.comment is None:
                uncommented.append(cell.coordinate)
            v = wsv.cell(row=r, column=c).value
            if isinstance(v, str) and v.startswith("#"):
                errors.append("%s cached %s" % (cell.coordinate, v))
    report(nformula > 0 and not errors, pre + "年度数据 values are formulas over %s (%d)" % (inputs_name, nformula),
           "; ".join(errors[:5]))
    report(not uncommented, pre + "年度数据 values without a formula carry a comment", ",".join(uncommented[:10]))
    not_app = [s for s in series if s["state"] == "not_applicable"]
    if not_app:
        s = not_app[0]
        cell = ws.cell(row=rows[(s["indicator_id"], yw["value"])], column=years[int(s["year"])])
        report(wsv.cell(row=cell.row, column=cell.column).value == labels["status"]["not_applicable"]
               and (cell.comment is not None or cell.data_type == "f"),
               pre + "not-applicable value reads %s (%s %s)"
               % (labels["status"]["not_applicable"], s["indicator_id"], s["year"]))
    # Number formats: percent indicators show a % suffix without scaling.
    pct = [s for s in series if s["unit"] == "%" and s["state"] == "ok"]
    if pct:
        s = pct[0]
        cell = ws.cell(row=rows[(s["indicator_id"], yw["value"])], column=years[int(s["year"])])
        unit = ws.cell(row=cell.row, column=4).value
        report("%" not in cell.number_format and unit == "%",
               pre + "percent indicator: no double unit (format %s, unit column %s)" % (cell.number_format, unit))
    width_b = ws.column_dimensions["B"].width or 0
    report(width_b >= 20, pre + "年度数据 name column fitted to Chinese text (width %s)" % width_b)
    report(ws.freeze_panes == "D2" and ws.auto_filter.ref is not None,
           pre + "年度数据 frozen header and key columns, autofilter", str(ws.freeze_panes))

    # 原始数据: inputs with unit and source file.
    wi = wb[sheet["inputs"]]
    ih = header_map(wi)
    iw = wording["inputs"]
    kinds = [wi.cell(row=r, column=ih[iw["kind"]]).value for r in range(2, wi.max_row + 1)]
    sources = [wi.cell(row=r, column=ih[iw["source"]]).value for r in range(2, wi.max_row + 1)
               if wi.cell(row=r, column=ih[iw["kind"]]).value == iw["data"]]
    report(iw["data"] in kinds and all(s and s.endswith(".csv") or (iw["no_file"] in (s or ""))
                                       for s in sources),
           pre + "原始数据 data rows name their source file")

    # Charts: one per count-based rate and per numeric target.
    want_ids = set()
    quantitative = {s["indicator_id"] for s in series}
    for s in series:
        if s["count_variable"]:
            want_ids.add(s["indicator_id"])
    for a in assessment:
        if a["indicator_id"] in quantitative and (
                a["comparator"] in ("<=", "<", ">=", ">", "==", "zero") or a["limit"] != ""):
            want_ids.add(a["indicator_id"])
    titles = []
    for xml in chart_xml.values():
        m = re.search(r"<c:title>.*?</c:title>", xml, re.S)
        titles.append("".join(re.findall(r"<a:t>([^<]*)</a:t>", m.group(0))) if m else "")
    # a chart is titled with its indicator's name (no internal id for readers)
    name_of = {a["indicator_id"]: a["name"] for a in assessment}
    have = set(titles)
    lack = sorted(i for i in want_ids if name_of.get(i) not in have)
    report(charts and not lack and len(charts) >= len(want_ids),
           pre + "native line charts: %d (every count rate and numeric target)" % len(charts),
           "no chart for " + ",".join(lack[:10]))
    ids = [t for t in titles if re.match(r"^[A-Za-z0-9_-]+ ", t)]
    report(not ids, pre + "chart titles are indicator names, without ids", ", ".join(ids[:5]))
    report(all("<c:lineChart>" in x for x in chart_xml.values()), pre + "charts are line charts")
    report(len(wb[sheet["charts"]]._charts) == len(charts), pre + "charts placed on " + sheet["charts"])

    check_overview(wb, wbv, plan_dir, assessment, wording, pre)

    # Print setup on every table sheet.
    bad = []
    # 指标 prints by column groups: key columns and header repeated, a break between groups.
    wi_ = wb[sheet["indicators"]]
    ps = wi_.page_setup
    cbreaks = [b.id for b in wi_.col_breaks.brk] if wi_.col_breaks else []
    report(ps.orientation == "landscape" and str(ps.paperSize) == "9" and wi_.print_title_rows
           and wi_.print_title_cols and len(cbreaks) >= 2 and str(ps.scale) not in ("None", "100"),
           pre + "指标 prints on A4 by column groups (%d page breaks, scale %s, titles %s %s)"
           % (len(cbreaks), ps.scale, wi_.print_title_rows, wi_.print_title_cols))
    for name in (sheet["overview"], sheet["yearly"], sheet["inputs"],
                 sheet["chartdata"], sheet["forecast"], sheet["milestones"], sheet["notes"]):
        w = wb[name]
        ps = w.page_setup
        if ps.orientation != "landscape" or str(ps.paperSize) != "9" or \
                not w.sheet_properties.pageSetUpPr or not w.sheet_properties.pageSetUpPr.fitToPage or \
                str(ps.fitToWidth) not in ("1", "None"):
            bad.append(name)
        if name != sheet["notes"] and not w.print_title_rows:
            bad.append(name + " (header rows)")
    report(not bad, pre + "print setup: A4 landscape, fit to width, header rows repeated", ",".join(bad))

    # 里程碑: every milestone and qualitative target, with its status.
    wm = wb[sheet["milestones"]]
    nm = sum(1 for a in assessment if a["kind"] != "quantitative")
    report(wm.max_row - 1 == nm, pre + "里程碑 lists %d milestones and qualitative items" % nm,
           "%d rows" % (wm.max_row - 1))

    # 图表数据: the observed series as formulas over 年度数据 (a gap is #N/A, not 0).
    wl, wlv = wb[sheet["chartdata"]], wbv[sheet["chartdata"]]
    yq = "'%s'!" % sheet["yearly"]
    obs = [r for r in range(3, wl.max_row + 1) if wl.cell(row=r, column=3).value == yw["observed"]]
    nf = sum(1 for r in obs for c in range(5, wl.max_column + 1)
             if wl.cell(row=r, column=c).data_type == "f" and yq in wl.cell(row=r, column=c).value)
    report(obs and nf > 0, pre + "图表数据 observed values are formulas over 年度数据 (%d)" % nf)
    # Every single-year target line has markers; every chart series reads 图表数据 or 预测.
    unmarked, foreign = [], []
    for n, xml in chart_xml.items():
        for ser in re.findall(r"<c:ser>.*?</c:ser>", xml, re.S):
            ref = re.search(r"<c:val><c:numRef><c:f>([^<]*)</c:f>", ser)
            if not ref:
                continue
            sheet_ref = ref.group(1).split("!")[0].strip("'")
            if sheet_ref not in (sheet["chartdata"], sheet["forecast"]):
                foreign.append(ref.group(1))
            m = re.match(r"'?[^!]*'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", ref.group(1))
            if not m or sheet_ref != sheet["chartdata"]:
                continue
            row = int(m.group(2))
            if not str(wl.cell(row=row, column=3).value or "").startswith(yw["target"]):
                continue
            filled = [c for c in range(5, wl.max_column + 1) if wlv.cell(row=row, column=c).value is not None]
            if len(filled) == 1 and "<c:symbol val=\"none\"/>" in ser:
                unmarked.append("%s row %d" % (n, row))
    report(not foreign, pre + "charts read 图表数据 and 预测 only", ", ".join(foreign[:3]))
    report(not unmarked, pre + "single-year target lines have markers", ", ".join(unmarked[:5]))
    # 图表 prints whole charts: a page break between rows of charts.
    wc = wb[sheet["charts"]]
    nch = len(wc._charts)
    breaks = [b.id for b in wc.row_breaks.brk] if wc.row_breaks else []
    report(nch <= 4 or len(breaks) >= (nch + 3) // 4 - 1,
           pre + "图表: page breaks between rows of charts (%d charts, %d breaks)" % (nch, len(breaks)))

    # 预测（程序计算）: the program's figures only, with the run's digest.
    wf = wbv[sheet["forecast"]]
    wff = wb[sheet["forecast"]]
    nform = sum(1 for row in wff.iter_rows() for c in row if c.data_type == "f")
    report(nform == 0, pre + "预测 holds no formula (the program's figures only)", "%d formulas" % nform)
    with open(os.path.join(plan_dir, "inputs.sha256"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    report(digest in (wf.cell(row=1, column=1).value or ""),
           pre + "预测 states the SHA-256 of inputs.sha256", (wf.cell(row=1, column=1).value or "")[-80:])
    heads = [c.value for row in wff.iter_rows() for c in row if c.value == wording["assessment"]["probability_met"]]
    report(len(heads) == 1, pre + "预测 lists each target's probability and statistical checks")
    if forecasts:
        fyears = {c.value: c.column for c in wf[2] if isinstance(c.value, int)}
        frows = {}
        for r in range(3, wf.max_row + 1):
            frows[(wf.cell(row=r, column=1).value, wf.cell(row=r, column=3).value)] = r
        bad = []
        for s in forecasts:
            for code, col in (("forecast", "value"), ("lower80", "lower_80"), ("upper80", "upper_80"),
                              ("lower95", "lower_95"), ("upper95", "upper_95")):
                r = frows.get((s["indicator_id"], yw[code]))
                y = int(s["year"])
                v = wf.cell(row=r, column=fyears[y]).value if r and y in fyears else "(no cell)"
                if not cell_matches(s[col], v):
                    bad.append("%s %s %d: %r vs %r" % (s["indicator_id"], code, y, v, s[col]))
        report(not bad, pre + "预测 forecasts and intervals equal series.csv (%d years)" % len(forecasts),
               "; ".join(bad[:5]))

    # Byte-identical second run.
    other = os.path.join(other_dir, plan_id, plan_id + ".xlsx")
    with open(path, "rb") as f1:
        a = f1.read()
    with open(other, "rb") as f2:
        b = f2.read()
    report(a == b, pre + "two runs byte-identical (%d bytes)" % len(a))
    p3 = os.path.join(sde_dir, plan_id, plan_id + ".xlsx") if sde_dir else None
    if p3 and os.path.exists(p3):
        with zipfile.ZipFile(p3) as z:
            core3 = z.read("docProps/core.xml").decode()
        report("2023-11-14T22:13:20Z" in core3, pre + "SOURCE_DATE_EPOCH sets the created date")

    if use_lo:
        check_recalc(path, wb, wbv, pre, lo_profile)


def lo_recalc(path, tmp, pre, lo_profile):
    """LibreOffice's recalculation of a copy of path (in tmp) whose cached results
    are all wrong (-12345): (the workbook with its values, formulas tampered),
    or (None, n) when the conversion failed."""
    tampered = os.path.join(tmp, "tampered.xlsx")
    n = 0
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                s, k = re.subn(r"(<f>[^<]*</f>)<v>[^<]*</v>", r"\1<v>-12345</v>", data.decode())
                n += k
                data = s.encode()
            zout.writestr(item, data)
    out = os.path.join(tmp, "out")
    r = subprocess.run(["soffice", "-env:UserInstallation=file://" + lo_profile, "--headless",
                        "--norestore", "--convert-to", "xlsx", "--outdir", out, tampered],
                       capture_output=True, text=True, timeout=600)
    lo_path = os.path.join(out, "tampered.xlsx")
    if not report(r.returncode == 0 and os.path.exists(lo_path),
                  pre + "LibreOffice headless conversion", r.stderr[-300:]):
        return None, n
    return openpyxl.load_workbook(lo_path, data_only=True), n


def check_recalc(path, wb, wbv, pre, lo_profile):
    """LibreOffice recalculates a copy whose cached results are all wrong."""
    tmp = tempfile.mkdtemp(prefix="wbcheck.")
    try:
        lo, n = lo_recalc(path, tmp, pre, lo_profile)
        if lo is None:
            return
        total, bad = 0, []
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type != "f":
                        continue
                    total += 1
                    a = wbv[ws.title][c.coordinate].value
                    b = lo[ws.title][c.coordinate].value
                    if is_empty(a):
                        ok = is_empty(b)
                    elif isinstance(a, str):
                        ok = a == b
                    else:
                        ok = isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
                    if not ok:
                        bad.append("%s!%s %r vs %r" % (ws.title, c.coordinate, a, b))
        report(total == n and total > 0 and not bad,
               pre + "LibreOffice recalculation gives the cached values (%d formulas)" % total,
               "; ".join(bad[:5]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_lo_profile():
    """A LibreOffice profile that recalculates every formula on load, whatever the file says."""
    d = tempfile.mkdtemp(prefix="wbcheck-lo.")
    os.makedirs(os.path.join(d, "user"))
    with open(os.path.join(d, "user", "registrymodifications.xcu"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
                '</oor:items>\n')
    return d


def main(argv):
    templates = "templates"
    use_lo = True
    sde_dir = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--templates":
            templates = argv[i + 1]
            i += 2
        elif argv[i] == "--no-libreoffice":
            use_lo = False
            i += 1
        elif argv[i] == "--sde-dir":
            sde_dir = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2:
        print(__doc__)
        return 2
    wording = read_wording(os.path.join(templates, "workbook.yaml"))
    labels = read_wording(os.path.join(templates, "labels.yaml"))
    wording["_outlooks"] = read_outlooks(os.path.join(templates, "findings.yaml"))
    with open(os.path.join(templates, "brief.yaml"), encoding="utf-8") as f:
        m = re.search(r"^\s+total_row:\s*(\S+)\s*$", f.read(), re.M)
    wording["_brief_total"] = m.group(1) if m else ""
    changes = os.path.join(templates, "changes.yaml")
    if os.path.exists(changes):
        with open(changes, encoding="utf-8") as f:
            m = re.search(r"^sheet:\s*(\S+)\s*$", f.read(), re.M)
        wording["_changes_sheet"] = m.group(1) if m else "?"
    out_a, out_b = args
    plans = sorted(d for d in os.listdir(out_a)
                   if os.path.exists(os.path.join(out_a, d, "assessment.csv")))
    report(len(plans) > 0, "plans evaluated: " + " ".join(plans))
    lo_profile = None
    if use_lo:
        if not report(shutil.which("soffice") is not None, "LibreOffice (soffice) installed"):
            use_lo = False
        else:
            lo_profile = make_lo_profile()
    try:
        for p in plans:
            check_plan(os.path.join(out_a, p), out_b, sde_dir, wording, labels, use_lo, lo_profile)
    finally:
        if lo_profile:
            shutil.rmtree(lo_profile, ignore_errors=True)
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
