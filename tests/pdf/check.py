#!/usr/bin/env python3
"""tests/pdf/check.py OUT_DIR - checks the PDF reports of every plan in OUT_DIR
with real readers (qpdf, poppler's pdffonts/pdfinfo/pdftotext, fontTools).

Prints one "ok ..." or "FAIL ..." line per check (tests/pdf/run.sh counts
them). See docs/templates.md, "Tests".
"""
import base64
import csv
import io
import json
import os
import re
import subprocess
import sys

NO_START = set("，。、；：？！）」』】》")
NO_END = set("（「『【《")
STATUS_CELLS = ["●已达标", "○进展顺利", "▲存在风险", "▼难以达标", "■未达标", "◇数据不足"]
TABLE_HEADERS = ["评估值", "最新进展", "属性", "情况", "时限", "变化", "计算方法", "编码"]
BRIEF_MAX_PAGES = 4

results = []


def check(ok, what, detail=""):
    results.append(ok)
    print(("ok " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))


def run(*args):
    p = subprocess.run(args, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def page_count(pdf):
    _, out, _ = run("pdfinfo", pdf)
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def page_texts(pdf):
    rc, out, _ = run("pdftotext", "-raw", "-enc", "UTF-8", pdf, "-")
    return out.split("\f")


def squash(s):
    return re.sub(r"\s+", "", s)


def value_forms(v):
    """The ways a figure may be printed: rounded to 0..8 decimals."""
    x = float(v)
    forms = set()
    for d in range(0, 9):
        s = "%.*f" % (d, x)
        if s.startswith("-") and float(s) == 0:
            s = s[1:]
        forms.add(s)
    return forms


def check_qpdf(pdf, name):
    rc, out, err = run("qpdf", "--check", pdf)
    bad = rc != 0 or "WARNING" in out + err or "No syntax or stream encoding errors found" not in out
    check(not bad, "%s: qpdf --check is clean" % name, (out + err).strip()[-300:])


def check_fonts(pdf, name):
    rc, out, _ = run("pdffonts", pdf)
    rows = [l for l in out.splitlines()[2:] if l.strip()]
    # columns: name type encoding emb sub uni object ID; the type has a space
    embedded = [re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", r) for r in rows]
    ok = rc == 0 and len(rows) >= 2 and all(m and m.group(1) == "yes" for m in embedded)
    check(ok, "%s: every font embedded (%d fonts)" % (name, len(rows)), out)
    check(all("CID TrueType" in r for r in rows), "%s: fonts are TrueType (CIDFontType2)" % name, out)
    check(all(m and m.group(3) == "yes" for m in embedded), "%s: every font has a ToUnicode map" % name)


def check_bounds(pdf, name):
    """Every word inside the page, and inside the side margins."""
    rc, out, _ = run("pdftotext", "-bbox", pdf, "-")
    bad = []
    width = height = None
    for line in out.splitlines():
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if m:
            width, height = float(m.group(1)), float(m.group(2))
            continue
        m = re.search(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*)</word>', line)
        if m and width:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            if x0 < 50 or x1 > width - 50 or y0 < 0 or y1 > height:
                bad.append("%s at %.1f-%.1f" % (m.group(5), x0, x1))
    check(not bad, "%s: all text inside the page margins" % name, "; ".join(bad[:5]))


def check_kinsoku(pages, name):
    bad = []
    for p in pages:
        for line in p.splitlines():
            s = line.strip()
            if not s:
                continue
            if s[0] in NO_START:
                bad.append("starts: " + s[:20])
            if s[-1] in NO_END:
                bad.append("ends: " + s[-20:])
    check(not bad, "%s: no line starts with ，。、；：？！）」 or ends with （「" % name, "; ".join(bad[:5]))


def check_table_headers(pages, name):
    bad = []
    for i, p in enumerate(pages):
        if any(s in p for s in STATUS_CELLS) and not any(h in p for h in TABLE_HEADERS):
            bad.append(str(i + 1))
    check(not bad, "%s: every page with a table shows its header" % name, "pages " + ", ".join(bad))


def load_json(pdf, *extra):
    rc, out, err = run("qpdf", "--json", *extra, pdf)
    return json.loads(out) if rc == 0 else None


def check_outline(pdf, pages, name):
    j = load_json(pdf, "--json-key=outlines")
    outl = j.get("outlines", []) if j else []
    check(len(outl) >= 5, "%s: PDF bookmarks (%d top-level)" % (name, len(outl)))
    kids = sum(len(o.get("kids", [])) for o in outl)
    check(kids > 0, "%s: bookmarks nest the plan's structure (%d second-level)" % (name, kids))
    # every bookmark points at a page that shows its title, and the contents
    # give that page number
    toc = squash("".join(pages[1:4]))
    wrong, missing = [], []

    def walk(items):
        for o in items:
            t, pg = o.get("title", ""), o.get("destpageposfrom1")
            if pg is None or squash(t) not in squash(pages[pg - 1]):
                wrong.append("%s -> %s" % (t, pg))
            elif squash(t) + str(pg) not in toc:
                missing.append("%s %s" % (t, pg))
            walk(o.get("kids", []))

    walk(outl)
    check(not wrong, "%s: each bookmark lands on the page with its heading" % name, "; ".join(wrong[:5]))
    check(not missing, "%s: the contents list each heading with its page" % name, "; ".join(missing[:5]))


def check_indicators(plan_dir, pages, name):
    text = squash("".join(pages))
    missing = []
    with open(os.path.join(plan_dir, "assessment.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if squash(row["name"]) not in text:
                missing.append(row["indicator_id"] + " name")
            v = row["current_value"]
            if v and not any(s in text for s in value_forms(v)):
                missing.append("%s value %s" % (row["indicator_id"], v))
    check(not missing, "%s: every indicator's name and current value are in the text" % name,
          "; ".join(missing[:8]))


FACES = {}  # face file -> fontTools font, loaded once


def faces():
    """The faces report.yaml names by file (body, heading), as fontTools
    reads them (face 0 of a .ttc)."""
    from fontTools.ttLib import TTFont
    with open("templates/report.yaml", encoding="utf-8") as f:
        files = re.findall(r"^\s+(?:body|heading):\s*(/\S+)", f.read(), re.M)
    for path in files:
        if path not in FACES and os.path.exists(path):
            FACES[path] = TTFont(path, fontNumber=0, lazy=True)
    return [FACES[p] for p in files if p in FACES]


def face_of(sub):
    """The face a subset was made from: its head table's dates and units
    (copied whole into the subset), or None."""
    key = lambda t: (t["head"].created, t["head"].modified, t["head"].unitsPerEm)
    return next((f for f in faces() if key(f) == key(sub)), None)


def check_glyphs(pdf, name):
    """Every character drawn has an outline in the embedded subset of the
    font it is drawn in (codes are read from the content streams), and the
    subset's metrics of its glyph (advance, left side bearing) are the
    face's."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        print("   (glyph check skipped: no fontTools)")
        return
    # The structure without stream data; then only the streams needed
    # (content, fonts), one by one: the charts need not be decoded.
    j = load_json(pdf)
    objs = j["qpdf"][1] if j and "qpdf" in j else {}

    def obj(ref):
        o = objs.get("obj:" + ref, {})
        return o.get("value") if "value" in o else o.get("stream", {}).get("dict", {})

    def data(ref):
        p = subprocess.run(["qpdf", "--show-object=" + ref.split()[0], "--filtered-stream-data", pdf],
                           capture_output=True)
        return p.stdout

    used = {}  # CIDFontType2 object ref -> set of codes
    for page in j.get("pages", []) if j else []:
        res = obj(page["object"]).get("/Resources", {})
        if isinstance(res, str):
            res = obj(res)
        fonts = res.get("/Font", {})
        if isinstance(fonts, str):
            fonts = obj(fonts)
        content = b"".join(data(c) for c in page.get("contents", []))
        cur = None
        for m in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>\s*Tj", content):
            if m.group(1):
                t0 = fonts.get("/" + m.group(1).decode())
                cur = obj(t0).get("/DescendantFonts", [None])[0] if t0 else None
            elif cur:
                h = m.group(2).decode()
                used.setdefault(cur, set()).update(int(h[i:i + 4], 16) for i in range(0, len(h), 4))
    bad, checked, wrong, metrics, faced = [], 0, [], [], 0
    for ref, codes in used.items():
        d = obj(ref)
        desc = obj(d["/FontDescriptor"])
        tt = TTFont(io.BytesIO(data(desc["/FontFile2"])))
        glyf, order = tt["glyf"], tt.getGlyphOrder()
        face = face_of(tt)
        faced += face is not None
        fmap = face.getBestCmap() if face else {}
        m = data(d["/CIDToGIDMap"])
        # the widths the font says (W, else DW) against its outlines' advances
        widths, w = {}, d.get("/W", [])
        for i in range(0, len(w) - 1, 2):
            for k, v in enumerate(w[i + 1]):
                widths[w[i] + k] = v
        upem = tt["head"].unitsPerEm
        for cid in sorted(codes):
            checked += 1
            gid = m[2 * cid] << 8 | m[2 * cid + 1] if 2 * cid + 1 < len(m) else 0
            adv = tt["hmtx"][order[gid]][0] * 1000 // upem
            if widths.get(cid, d.get("/DW", 1000)) != adv:
                wrong.append("U+%04X %s %s/%d" % (cid, chr(cid), widths.get(cid, "DW"), adv))
            if gid and cid in fmap and tuple(tt["hmtx"][order[gid]]) != tuple(face["hmtx"][fmap[cid]]):
                metrics.append("U+%04X %s %s/%s" % (cid, chr(cid), tuple(tt["hmtx"][order[gid]]),
                                                   tuple(face["hmtx"][fmap[cid]])))
            if chr(cid).isspace():
                continue
            g = glyf[order[gid]] if gid else None
            empty = g is None or g.numberOfContours == 0
            if g is not None and g.isComposite():
                empty = any(glyf[c.glyphName].numberOfContours == 0 for c in g.components)
            if empty:
                bad.append("U+%04X %s" % (cid, chr(cid)))
    check(len(used) >= 2 and not bad,
          "%s: every character drawn has its glyph (%d fonts, %d characters)" % (name, len(used), checked),
          " ".join(bad[:10]))
    check(len(used) >= 2 and not wrong,
          "%s: every character drawn has its glyph's width in W" % name, " ".join(wrong[:10]))
    check(faced == len(used) and not metrics,
          "%s: the subsets' advances and side bearings are their faces' (%d of %d fonts found)"
          % (name, faced, len(used)), " ".join(metrics[:10]))


def check_charts(pdf, pages, name, brief):
    """The charts are vector graphics drawn on the page: no image in the
    file, the legend words of the trend charts in the text of the pages that
    carry a chart (the report: those with a figure caption of an indicator
    chart; the brief: the first page with one, page 2, after the key
    findings of page 1), and curves (Bezier arcs of the markers) in
    those pages' content."""
    rc, out, _ = run("pdfimages", "-list", pdf)
    images = [l for l in out.splitlines()[2:] if l.strip()]
    check(rc == 0 and not images, "%s: no raster image (charts are vectors)" % name,
          "%d images" % len(images))
    if brief:
        chart_pages = [i for i, p in enumerate(pages) if "观测值" in squash(p)][:1]
        check(chart_pages and chart_pages[0] <= 1,
              "%s: page 2 (or 1) shows a trend chart (its legend is text)" % name)
    else:
        chart_pages = [i for i, t in enumerate(pages) if re.search(r"(?m)^图\d+", t)]
        without = [i + 1 for i in chart_pages
                   if not any(w in squash(pages[i]) for w in ("观测值", "按事故等级", "规范要求"))]
        check(chart_pages and not without,
              "%s: every page with a figure has the chart's words as text (%d pages)"
              % (name, len(chart_pages)), "pages %s" % without[:8])
    if chart_pages:
        p = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--pages", pdf,
                            str(chart_pages[0] + 1), "--", pdf, "-"], capture_output=True)
        curves = len(re.findall(rb"\sc\n", p.stdout))
        check(p.returncode == 0 and curves >= 8,
              "%s: page %d draws its chart's markers as curves (%d)" % (name, chart_pages[0] + 1, curves))


def main():
    out_dir = sys.argv[1]
    plans = sorted(d for d in os.listdir(out_dir) if os.path.exists(os.path.join(out_dir, d, "assessment.csv")))
    check(len(plans) > 0, "plans in %s: %s" % (out_dir, " ".join(plans)))
    for plan in plans:
        pdir = os.path.join(out_dir, plan)
        brief, report = os.path.join(pdir, "brief.pdf"), os.path.join(pdir, "report.pdf")
        check(os.path.exists(brief) and os.path.exists(report), "%s: brief.pdf and report.pdf written" % plan)
        if not (os.path.exists(brief) and os.path.exists(report)):
            continue
        for pdf, kind in ((brief, "brief"), (report, "report")):
            name = "%s %s" % (plan, kind)
            pages = page_texts(pdf)
            check_qpdf(pdf, name)
            check_fonts(pdf, name)
            check_bounds(pdf, name)
            check_kinsoku(pages, name)
            check_table_headers(pages, name)
            check_glyphs(pdf, name)
            check_charts(pdf, pages, name, kind == "brief")
        n = page_count(brief)
        check(1 <= n <= BRIEF_MAX_PAGES, "%s brief: %d pages (at most %d)" % (plan, n, BRIEF_MAX_PAGES))
        first = page_texts(brief)[0]
        check("一票否决" in first, "%s brief: the red flags are on page 1" % plan)
        rp = page_texts(report)
        check_outline(report, rp, "%s report" % plan)
        check_indicators(pdir, rp, "%s report" % plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
