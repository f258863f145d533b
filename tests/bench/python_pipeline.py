#!/usr/bin/env python3
"""A Python pipeline doing the same kind of work as `planeval run` on the
synthetic regions of gen_regions.py, for tests/bench/python_compare.sh:
for every plan, read its YAML and its region's CSV tables; per indicator,
a yearly series of its variable, a trend fitted by statsmodels (OLS) with
80 % and 95 % prediction intervals to the target year and the probability
of meeting the target; a chart per indicator (matplotlib); a brief and a
report (reportlab, the same CJK fonts as planeval, one page per indicator
in the report); a workbook (XlsxWriter: indicators, series, a native chart
per indicator); series.csv and assessment.csv; and, across the plans, a
comparison (CSV and workbook).

It is not planeval: an indicator whose value is a formula of several
variables (its own or its catalogue entry's) takes the first variable the
formula names, and the wording is short. The work per indicator (fit, intervals, chart, page, sheet rows) is
of the same kind and size, which is what the comparison is about.

usage: python_pipeline.py ROOT OUT      (ROOT as written by gen_regions.py)
"""
import csv
import io
import os
import re
import sys
from collections import defaultdict

import numpy as np
import statsmodels.api as sm
import xlsxwriter
import yaml
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from scipy import stats  # noqa: E402

BODY = "/usr/share/fonts/truetype/arphic/uming.ttc"
HEAD = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def load_region(ddir):
    """variable -> {year: value}, summed over the rows of a year."""
    series = defaultdict(lambda: defaultdict(float))
    for name in sorted(os.listdir(ddir)):
        if not name.endswith(".csv") or name in ("milestones.csv", "events.csv"):
            continue
        with open(os.path.join(ddir, name), encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows or "year" not in rows[0]:
            continue
        long = "variable" in rows[0] and "value" in rows[0]
        for r in rows:
            try:
                y = int(r["year"])
            except (TypeError, ValueError):
                continue
            cells = {r["variable"]: r["value"]} if long else r
            for k, v in cells.items():
                if k in ("year", "note") or v is None:
                    continue
                try:
                    series[k][y] += float(v)
                except ValueError:
                    pass
    return series


def definition(ind, catalogue):
    """The text of an indicator's definition: its catalogue entry's, or its own."""
    src = catalogue.get(ind.get("use"), ind)
    keys = ("formula", "ratio", "count", "value", "use", "targets")
    return " ".join(str(src.get(k, "")) for k in keys)


def indicator_series(ind, data, catalogue):
    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", definition(ind, catalogue)):
        if name in data:
            return dict(sorted(data[name].items()))
    return {}


def forecast(years, values, target_year, target):
    """OLS trend, intervals at the target year, P(value <= target or >=)."""
    if len(years) < 3:
        return None
    x = sm.add_constant(np.asarray(years, float))
    fit = sm.OLS(np.asarray(values, float), x).fit()
    ahead = np.arange(min(years), max(target_year, max(years)) + 1, dtype=float)
    pred = fit.get_prediction(sm.add_constant(ahead, has_constant="add"))
    f95 = pred.summary_frame(alpha=0.05)
    f80 = pred.summary_frame(alpha=0.20)
    mean = float(f95["mean"].iloc[-1])
    se = float(f95["obs_ci_upper"].iloc[-1] - mean) / stats.t.ppf(0.975, fit.df_resid) if fit.df_resid > 0 else 0.0
    p = float(stats.t.cdf((target - mean) / se, fit.df_resid)) if se > 0 and target is not None else float("nan")
    return {"ahead": ahead, "f95": f95, "f80": f80, "mean": mean, "p": p}


def chart(ind, years, values, fc, target):
    fig, ax = plt.subplots(figsize=(6.3, 2.8), dpi=110)
    ax.plot(years, values, marker="o", color="#1f4e79")
    if fc is not None:
        ax.fill_between(fc["ahead"], fc["f95"]["obs_ci_lower"], fc["f95"]["obs_ci_upper"], color="#c6dbef")
        ax.fill_between(fc["ahead"], fc["f80"]["obs_ci_lower"], fc["f80"]["obs_ci_upper"], color="#9ecae1")
        ax.plot(fc["ahead"], fc["f95"]["mean"], "--", color="#08519c")
    if target is not None:
        ax.axhline(target, color="#c00000", lw=1)
    ax.set_title(ind["id"])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    buf.seek(0)
    return buf


def first_target(ind):
    for t in ind.get("targets") or []:
        v = t.get("value", t.get("by"))
        try:
            return int(t.get("year", 2025)), float(v)
        except (TypeError, ValueError):
            return int(t.get("year", 2025) or 2025), None
    return 2025, None


def evaluate(plan_path, root, out, catalogue):
    doc = yaml.safe_load(open(plan_path, encoding="utf-8"))
    plan = doc["plan"]
    data = load_region(os.path.join(root, "data", plan["region"]))
    pdir = os.path.join(out, plan["id"])
    os.makedirs(pdir, exist_ok=True)
    rows, srows, charts = [], [], []
    for ind in doc.get("indicators") or []:
        s = indicator_series(ind, data, catalogue)
        years, values = list(s.keys()), list(s.values())
        ty, target = first_target(ind)
        fc = forecast(years, values, ty, target)
        status = "数据不足" if fc is None else ("可能达标" if fc["p"] >= 0.5 else "难以达标")
        rows.append([plan["id"], ind["id"], ind.get("name", ""), ty, target, fc and fc["mean"], fc and fc["p"], status])
        for y, v in s.items():
            srows.append([plan["id"], ind["id"], y, v])
        charts.append((ind, chart(ind, years, values, fc, target) if years else None, status, fc))
    with open(os.path.join(pdir, "assessment.csv"), "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["plan_id", "indicator_id", "name", "target_year", "target", "forecast", "p_met", "status"]] + rows)
    with open(os.path.join(pdir, "series.csv"), "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["plan_id", "indicator_id", "year", "value"]] + srows)
    workbook(os.path.join(pdir, plan["id"] + ".xlsx"), rows, srows)
    brief(os.path.join(pdir, "brief.pdf"), plan, rows)
    report(os.path.join(pdir, "report.pdf"), plan, charts)
    return rows


def workbook(path, rows, srows):
    wb = xlsxwriter.Workbook(path, {"nan_inf_to_errors": True})
    ws = wb.add_worksheet("指标")
    for i, r in enumerate([["计划", "指标", "名称", "目标年", "目标", "预测", "达标概率", "判断"]] + rows):
        ws.write_row(i, 0, [x if x is None or isinstance(x, (int, float, str)) else str(x) for x in r])
    ds = wb.add_worksheet("数据")
    for i, r in enumerate([["计划", "指标", "年份", "数值"]] + srows):
        ds.write_row(i, 0, r)
    first = {}
    for i, r in enumerate(srows, start=1):
        first.setdefault(r[1], [i, i])[1] = i
    cs = wb.add_worksheet("图")
    for k, (ind, (a, b)) in enumerate(first.items()):
        ch = wb.add_chart({"type": "line"})
        ch.add_series({"name": ind, "categories": ["数据", a, 2, b, 2], "values": ["数据", a, 3, b, 3]})
        cs.insert_chart(k * 16, 0, ch)
    wb.close()


def fonts():
    if "body" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("body", BODY, subfontIndex=0))
        pdfmetrics.registerFont(TTFont("head", HEAD, subfontIndex=0))


def brief(path, plan, rows):
    fonts()
    c = canvas.Canvas(path, pagesize=A4)
    w, h = A4
    c.setFont("head", 16)
    c.drawString(60, h - 70, plan["title"] + "评估简报")
    y = h - 110
    c.setFont("body", 9)
    for r in rows:
        if y < 60:
            c.showPage()
            c.setFont("body", 9)
            y = h - 60
        p = "" if r[6] is None or r[6] != r[6] else "%.0f%%" % (100 * r[6])
        c.drawString(60, y, "%s %s：%s %s" % (r[1], str(r[2])[:30], r[7], p))
        y -= 14
    c.save()


def report(path, plan, charts):
    fonts()
    c = canvas.Canvas(path, pagesize=A4)
    w, h = A4
    for ind, png, status, fc in charts:
        c.setFont("head", 13)
        c.drawString(60, h - 70, "%s %s" % (ind["id"], str(ind.get("name", ""))[:36]))
        c.setFont("body", 10)
        text = c.beginText(60, h - 95)
        for line in str(ind.get("notes", "")).splitlines()[:12]:
            text.textLine(line[:48])
        c.drawText(text)
        if png is not None:
            c.drawImage(ImageReader(png), 60, h - 520, width=470, height=209)
        c.drawString(60, h - 540, "判断：%s" % status + ("" if fc is None else "；预测值 %.2f" % fc["mean"]))
        c.showPage()
    c.save()


def comparison(out, allrows):
    by = defaultdict(list)
    for r in allrows:
        by[r[1]].append(r)
    with open(os.path.join(out, "comparison.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["indicator_id", "plan_id", "forecast", "p_met", "status", "rank"])
        for k in sorted(by):
            ranked = sorted(by[k], key=lambda r: -(r[6] if r[6] == r[6] and r[6] is not None else -1))
            for i, r in enumerate(ranked, 1):
                w.writerow([k, r[0], r[5], r[6], r[7], i])
    wb = xlsxwriter.Workbook(os.path.join(out, "comparison.xlsx"), {"nan_inf_to_errors": True})
    ws = wb.add_worksheet("比较")
    for i, r in enumerate(allrows):
        ws.write_row(i, 0, [x if x is None or isinstance(x, (int, float, str)) else str(x) for x in r])
    wb.close()


def main():
    root, out = sys.argv[1], sys.argv[2]
    idir = os.path.join(root, "indicators")
    allrows = []
    cat = yaml.safe_load(open(os.path.join(idir, "catalogue.yaml"), encoding="utf-8"))
    catalogue = {e["id"]: e for e in cat.get("indicators") or []}
    for name in sorted(os.listdir(idir)):
        if name.endswith(".yaml") and name != "catalogue.yaml" and name != "run.yaml":
            allrows += evaluate(os.path.join(idir, name), root, out, catalogue)
    comparison(out, allrows)


if __name__ == "__main__":
    main()
