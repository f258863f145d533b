#!/usr/bin/env python3
"""Generate synthetic regions for `make bench`: N copies of the sample plans
(40 to 114 indicators each, ten years of data) under new plan and region
ids, with every number perturbed by a fixed-seed random factor so that no two
regions share data. The figures mean nothing; only the sizes are realistic.

usage: gen_regions.py N OUTDIR
writes OUTDIR/indicators/*.yaml, OUTDIR/data/<region>/*.csv,
OUTDIR/data/variables/ and OUTDIR/templates/ (copied).
"""
import csv
import os
import random
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = [  # (plan file, region)
    ("qinan-2021-2025", "qinan"),
    ("yanggu-em-2021-2025", "yanggu"),
    ("shanting-2020-2030", "shanting"),
    ("yanggu-sp-2021-2025", "yanggu"),
    ("huantai-2021-2025", "huantai"),
]


def share_variables():
    """Names of the variables of kind share (percentages) in the dictionary."""
    names = set()
    vdir = os.path.join(ROOT, "data", "variables")
    for name in sorted(os.listdir(vdir)):
        if name.endswith(".yaml"):
            for line in open(os.path.join(vdir, name), encoding="utf-8"):
                m = re.match(r"\s+(\w+):\s*\{.*\bkind:\s*share\b", line)
                if m:
                    names.add(m.group(1))
    return names


SHARES = share_variables()


def perturb(cell, rng, header, variable):
    """Scale a numeric cell by 0.8-1.2, keeping integers integral and shares <= 100.
    variable: the cell's variable (its column, or the `variable` cell of a long table)."""
    if header in ("year", "年份") or not re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return cell
    v = float(cell)
    if variable.startswith("major_disaster") or v in (0.0, 1.0):
        return cell  # flags and zeros keep their meaning
    w = v * rng.uniform(0.8, 1.2)
    if variable in SHARES:
        w = min(w, 100.0)
    if "." not in cell:
        return str(max(0, int(round(w))))
    return "%.2f" % w


def copy_region(src, dst, rng):
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(src, name), encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        if name not in ("milestones.csv", "events.csv"):
            head = rows[0]
            long = "variable" in head and "value" in head  # year,variable,value,note
            vcol = head.index("variable") if long else -1
            out = [head]
            for r in rows[1:]:
                cells = []
                for i, c in enumerate(r):
                    h = head[i] if i < len(head) else ""
                    var = r[vcol] if long and h == "value" and vcol < len(r) else h
                    cells.append(perturb(c, rng, h, var))
                out.append(cells)
            rows = out
        with open(os.path.join(dst, name), "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261123)
    for sub in ("indicators", "data"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    shutil.copy(os.path.join(ROOT, "indicators", "catalogue.yaml"), os.path.join(out, "indicators"))
    shutil.copytree(os.path.join(ROOT, "data", "variables"), os.path.join(out, "data", "variables"),
                    dirs_exist_ok=True)
    shutil.copytree(os.path.join(ROOT, "templates"), os.path.join(out, "templates"), dirs_exist_ok=True)
    # A sample region's own vocabulary (data/<region>/variables/) would clash
    # if copied into every synthetic region: it joins the shared dictionary.
    for region in sorted({r for _, r in TEMPLATES}):
        vdir = os.path.join(ROOT, "data", region, "variables")
        for name in sorted(os.listdir(vdir)) if os.path.isdir(vdir) else []:
            shutil.copy(os.path.join(vdir, name), os.path.join(out, "data", "variables", region + "-" + name))
    for i in range(n):
        plan_id, region = TEMPLATES[i % len(TEMPLATES)]
        rid = "r%04d" % i
        pid = "%s-%s" % (rid, plan_id)
        text = open(os.path.join(ROOT, "indicators", plan_id + ".yaml"), encoding="utf-8").read()
        text = re.sub(r"(?m)^(  id: )%s$" % re.escape(plan_id), r"\g<1>" + pid, text, count=1)
        text = re.sub(r"(?m)^(  region: )%s$" % re.escape(region), r"\g<1>" + rid, text, count=1)
        with open(os.path.join(out, "indicators", pid + ".yaml"), "w", encoding="utf-8") as f:
            f.write(text)
        copy_region(os.path.join(ROOT, "data", region), os.path.join(out, "data", rid), rng)
        # milestones.csv names the plan: follow the new id
        ms = os.path.join(out, "data", rid, "milestones.csv")
        if os.path.exists(ms):
            body = open(ms, encoding="utf-8").read().replace(plan_id + ",", pid + ",")
            open(ms, "w", encoding="utf-8").write(body)


if __name__ == "__main__":
    main()
