#!/usr/bin/env python3
"""tests/e2e/wording.py - strict and non-strict comparisons kept apart.

Reads every plan file and the catalogue in an indicators directory and
fails (exit 1, one line per problem) where the plan's or the catalogue's
wording is strict (小于 低于 少于 ＜ 高于 大于 多于 超过) but what is stored
compares non-strictly, or the other way round:

  * a plan target whose quote (its own `source.quote`, else the
    indicator's) has a strict word must have op < or > (or the plan's own
    strict word), and one with a non-strict word (不高于 不超过 不低于
    不少于 以内 以下 以上) must not;
  * a catalogue indicator whose name has a strict word must compare with
    < or > in its formula, and one whose name says 时限内 / 以内 must
    compare with <= or >=.

    python3 tests/e2e/wording.py indicators
    python3 tests/e2e/wording.py --self-test
"""
import glob
import os
import re
import sys
import tempfile

import yaml

STRICT_WORD = re.compile(r"(?<!不)(小于|低于|少于|＜|高于|大于|多于|超过)")
LOOSE_WORD = re.compile(r"不高于|不超过|不大于|不多于|不低于|不少于|不小于|以内|以下|以上")
STRICT_OPS = {"<", ">", "＜", "＞", "低于", "小于", "少于", "高于", "大于", "多于", "超过"}
LOOSE_OPS = {"<=", ">=", "≤", "≥", "≦", "≧", "＜＝", "＞＝", "不高于", "不超过", "不大于",
             "不多于", "不低于", "不少于", "不小于"}
FORMULA_CMP = re.compile(r"<=|>=|==|!=|<|>")


def plan_problems(path, doc):
    out = []
    for ind in doc.get("indicators") or []:
        iq = (ind.get("source") or {}).get("quote") or ""
        for k, t in enumerate(ind.get("targets") or [], 1):
            op = str(t.get("op", ""))
            q = (t.get("source") or {}).get("quote") or iq
            strict = STRICT_WORD.search(q)
            loose = LOOSE_WORD.search(q)
            if strict and not loose and op in LOOSE_OPS:
                out.append("%s: indicator %s target %d: the plan says '%s' (strict) but op is '%s'"
                           % (path, ind.get("id"), k, strict.group(0), op))
            if loose and not strict and op in STRICT_OPS:
                out.append("%s: indicator %s target %d: the plan says '%s' (not strict) but op is '%s'"
                           % (path, ind.get("id"), k, loose.group(0), op))
    return out


def catalogue_formulas(ind):
    texts = [ind.get("formula") or ""]
    r = ind.get("ratio") or {}
    texts += [str(r.get("numerator") or ""), str(r.get("denominator") or "")]
    return " ".join(texts)


def catalogue_problems(path, doc):
    out = []
    for ind in doc.get("indicators") or []:
        name = ind.get("name") or ""
        cmps = set(FORMULA_CMP.findall(catalogue_formulas(ind))) - {"==", "!="}
        strict = STRICT_WORD.search(name)
        if strict and (not cmps or cmps & {"<=", ">="}):
            out.append("%s: catalogue indicator %s: its wording says '%s' (strict) but its formula "
                       "compares with %s" % (path, ind.get("id"), strict.group(0),
                                             " ".join(sorted(cmps)) or "nothing"))
        if not strict and re.search(r"时限内|以内", name) and cmps & {"<", ">"}:
            out.append("%s: catalogue indicator %s: its wording says within (not strict) but its "
                       "formula compares with %s" % (path, ind.get("id"), " ".join(sorted(cmps))))
    return out


def check(directory):
    problems, nplans = [], 0
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if not isinstance(doc, dict):
            continue
        if "catalogue" in doc:
            problems += catalogue_problems(path, doc)
        elif "plan" in doc:
            nplans += 1
            problems += plan_problems(path, doc)
    if not nplans:
        problems.append("%s: no plan file found" % directory)
    return problems


BAD_PLAN = """plan: {id: x}
indicators:
  - id: A
    source: {quote: 年度10万人口火灾死亡率低于0.25}
    targets: [{year: 2025, op: "<=", value: 0.25}]
  - id: B
    targets: [{year: 2025, op: ">=", value: 60, source: {quote: 专业人才占比超过60%}}]
  - id: C
    targets: [{year: 2025, op: "<", value: 1, source: {quote: 控制在1%以内}}]
"""
GOOD_PLAN = """plan: {id: x}
indicators:
  - id: A
    source: {quote: 年度10万人口火灾死亡率低于0.25}
    targets: [{year: 2025, op: 低于, value: 0.25}]
  - id: B
    targets: [{year: 2025, op: ">", value: 60, source: {quote: 专业人才占比超过60%}}]
  - id: C
    targets: [{year: 2025, op: "<=", value: 1, source: {quote: 控制在1%以内}}]
"""
BAD_CAT = """catalogue: {title: t}
indicators:
  - id: a
    name: 受灾人员基本生活得到救助用时小于时限的事件占比
    ratio: {numerator: 'count_if(h <= limit)', denominator: 'count(h)'}
  - id: b
    name: 在时限内得到救助的事件占比
    ratio: {numerator: 'count_if(h < limit)', denominator: 'count(h)'}
"""
GOOD_CAT = """catalogue: {title: t}
indicators:
  - id: a
    name: 受灾人员基本生活得到救助用时小于时限的事件占比
    ratio: {numerator: 'count_if(h < limit)', denominator: 'count(h)'}
  - id: b
    name: 在时限内得到救助的事件占比
    ratio: {numerator: 'count_if(h <= limit)', denominator: 'count(h)'}
"""


def self_test():
    ok = True
    for plan, cat, want in ((BAD_PLAN, BAD_CAT, 5), (GOOD_PLAN, GOOD_CAT, 0)):
        with tempfile.TemporaryDirectory() as d:
            for name, text in (("p.yaml", plan), ("catalogue.yaml", cat)):
                with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                    f.write(text)
            got = check(d)
        if len(got) != want:
            print("self-test: expected %d problems, got %d: %s" % (want, len(got), got))
            ok = False
    return ok


def main():
    if sys.argv[1:] == ["--self-test"]:
        return 0 if self_test() else 1
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
