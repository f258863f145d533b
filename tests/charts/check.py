#!/usr/bin/env python3
"""Checks the charts of a `planeval run` (tests/charts/run.sh calls this).

usage: check.py OUT INDICATORS_DIR DATA_DIR

For every plan directory under OUT: every quantitative indicator of
assessment.csv has charts/<id>.png and .svg, every group an overview, the
accidents chart exists when the region has accident rows, the reserves chart
when the plan has reserve indicators; the manifest charts.csv lists exactly
the files there; every PNG is a valid 8-bit RGB PNG (CRCs, zlib stream,
size) that Pillow also decodes to an RGB image of that size, whose pixel
size gives >= 300 dpi at the manifest's print size; every SVG parses as
XML, has the print size in pt and carries text (glyphs) and drawing. Prints
"ok NAME" or "FAIL NAME: why" per check. Standard library and Pillow.
"""
import csv
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

from PIL import Image

MIN_DPI = 300.0
results = []


def check(ok, name, why=""):
    results.append((bool(ok), name, why))
    print(("ok %s" % name) if ok else ("FAIL %s: %s" % (name, why)))


def png_info(path):
    """(width, height, problem or None) after checking chunks, CRCs and the image data."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0, "not a PNG signature"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        if pos + 8 > len(data):
            return 0, 0, "truncated chunk"
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            return 0, 0, "bad CRC in %s" % kind.decode("latin-1")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not ihdr:
        return 0, 0, "no IHDR"
    w, h, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
    if depth != 8 or ctype not in (2, 6):
        return w, h, "not 8-bit RGB(A): depth %d colour type %d" % (depth, ctype)
    bpp = 3 if ctype == 2 else 4
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        return w, h, "image data: %s" % e
    if len(raw) != h * (1 + w * bpp):
        return w, h, "image data has %d bytes, expected %d" % (len(raw), h * (1 + w * bpp))
    try:  # a second, independent reader (libpng's rules, as an image program applies them)
        with Image.open(path) as im:
            im.load()
            if im.size != (w, h) or im.mode not in ("RGB", "RGBA"):
                return w, h, "Pillow reads %s %s" % (im.mode, im.size)
    except Exception as e:  # any decoding error is the finding
        return w, h, "Pillow: %s" % e
    return w, h, None


def svg_pt(v):
    m = re.fullmatch(r"([0-9.]+)(pt)?", v or "")
    return float(m.group(1)) if m else None


def reserve_catalogue_ids(ind_dir):
    """Catalogue indicators whose formula reads reserve_qty."""
    path = os.path.join(ind_dir, "catalogue.yaml")
    ids = set()
    if not os.path.exists(path):
        return ids
    text = open(path, encoding="utf-8").read()
    for block in re.split(r"\n\s*- id:", text)[1:]:
        m = re.match(r"\s*([A-Za-z0-9_]+)", block)
        if m and "reserve_qty" in block:
            ids.add(m.group(1))
    return ids


def plan_has_reserves(plan_yaml, cat_ids):
    text = open(plan_yaml, encoding="utf-8").read()
    for block in re.split(r"\n\s*- id:", text)[1:]:
        if re.search(r"\n\s*kind:\s*(milestone|qualitative)", block):
            continue
        if not re.search(r'op:\s*"?(>=|>|==)"?', block):
            continue
        use = re.search(r"\n\s*use:\s*([A-Za-z0-9_]+)", block)
        if "reserve_qty" in block or (use and use.group(1) in cat_ids):
            return True
    return False


def main():
    out, ind_dir, data_dir = sys.argv[1:4]
    cat_ids = reserve_catalogue_ids(ind_dir)
    plans = sorted(d for d in os.listdir(out) if os.path.exists(os.path.join(out, d, "assessment.csv")))
    check(plans, "plans rendered", "no plan directory under %s" % out)
    for plan in plans:
        pdir = os.path.join(out, plan)
        cdir = os.path.join(pdir, "charts")
        check(os.path.isdir(cdir), "%s: charts/ exists" % plan)
        if not os.path.isdir(cdir):
            continue
        with open(os.path.join(pdir, "assessment.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        quant = sorted({r["indicator_id"] for r in rows if r["kind"] == "quantitative"})
        groups = sorted({r["group"] for r in rows if r["group"]}) or ["all"]
        files = set(os.listdir(cdir))
        with open(os.path.join(cdir, "charts.csv"), encoding="utf-8") as f:
            manifest = {r["file"]: r for r in csv.DictReader(f)}

        missing = [i for i in quant for ext in ("png", "svg") if "%s.%s" % (i, ext) not in files]
        check(not missing, "%s: PNG and SVG for all %d quantitative indicators" % (plan, len(quant)),
              "missing " + " ".join(missing[:10]))
        missing = [g for g in groups for ext in ("png", "svg")
                   if "overview-%s.%s" % (g, ext) not in files]
        check(not missing, "%s: an overview for each of %d groups" % (plan, len(groups)),
              "missing " + " ".join(missing[:10]))

        plan_yaml = os.path.join(ind_dir, plan + ".yaml")
        region = None
        if os.path.exists(plan_yaml):
            m = re.search(r"^\s*region:\s*(\S+)", open(plan_yaml, encoding="utf-8").read(), re.M)
            region = m.group(1) if m else None
        acc = os.path.join(data_dir, region or "", "accidents.csv")
        if region and os.path.exists(acc):
            with open(acc, encoding="utf-8-sig", errors="replace") as f:
                has_rows = sum(1 for _ in f) > 1
            if has_rows:
                check({"accidents.png", "accidents.svg"} <= files, "%s: accidents chart" % plan,
                      "accidents.png/svg missing")
        if os.path.exists(plan_yaml) and plan_has_reserves(plan_yaml, cat_ids):
            check({"reserves.png", "reserves.svg"} <= files, "%s: reserves chart" % plan,
                  "reserves.png/svg missing")

        on_disk = files - {"charts.csv"}
        check(set(manifest) == on_disk, "%s: charts.csv lists exactly the files" % plan,
              "unlisted %s, listed but absent %s"
              % (sorted(on_disk - set(manifest))[:5], sorted(set(manifest) - on_disk)[:5]))
        stray = [f for f in files if f.startswith(".")]
        check(not stray, "%s: no temporary files left" % plan, " ".join(stray[:5]))

        bad_png, low_dpi, bad_svg, nopng = [], [], [], 0
        for name, m in sorted(manifest.items()):
            path = os.path.join(cdir, name)
            if not os.path.exists(path):
                continue
            wmm, hmm = float(m["width_mm"]), float(m["height_mm"])
            if m["format"] == "png":
                nopng += 1
                w, h, problem = png_info(path)
                if problem:
                    bad_png.append("%s (%s)" % (name, problem))
                    continue
                if (w, h) != (int(m["width_px"]), int(m["height_px"])):
                    bad_png.append("%s (%dx%d, manifest %sx%s)" % (name, w, h, m["width_px"],
                                                                   m["height_px"]))
                dpi = min(w / (wmm / 25.4), h / (hmm / 25.4))
                if dpi < MIN_DPI - 1e-6:
                    low_dpi.append("%s (%.0f dpi)" % (name, dpi))
            else:
                try:
                    root = ET.parse(path).getroot()
                except ET.ParseError as e:
                    bad_svg.append("%s (%s)" % (name, e))
                    continue
                if not root.tag.endswith("svg"):
                    bad_svg.append("%s (root %s)" % (name, root.tag))
                    continue
                w, h = svg_pt(root.get("width")), svg_pt(root.get("height"))
                if w is None or abs(w - wmm * 72 / 25.4) > 0.05 or abs(h - hmm * 72 / 25.4) > 0.05:
                    bad_svg.append("%s (size %s x %s)" % (name, root.get("width"),
                                                          root.get("height")))
                uses = sum(1 for e in root.iter() if e.tag.endswith("use"))
                paths = sum(1 for e in root.iter() if e.tag.endswith("path"))
                if uses < 10 or paths < 10:
                    bad_svg.append("%s (%d glyph uses, %d paths)" % (name, uses, paths))
        check(nopng and not bad_png, "%s: %d PNGs are valid and match the manifest" % (plan, nopng),
              "; ".join(bad_png[:5]))
        check(not low_dpi, "%s: every PNG >= %d dpi at its print size" % (plan, MIN_DPI),
              "; ".join(low_dpi[:5]))
        check(not bad_svg, "%s: every SVG parses, has its print size, text and drawing" % plan,
              "; ".join(bad_svg[:5]))
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
