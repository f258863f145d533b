#!/usr/bin/env python3
"""tests/editorial/check.py - editorial checks of the PDF reports, read back
as a reader sees them (pdftotext -raw / -layout, qpdf --json for the
bookmarks). Python 3 standard library only.

    check.py --self-test          every detector fires on a synthetic bad
                                  text and stays quiet on a good one
    check.py [--data-readme F] NAME=DIR ...
                                  checks every <plan>/brief.pdf and
                                  <plan>/report.pdf under each DIR (a
                                  `planeval run --out DIR`); NAME labels the
                                  run (final, midterm-2023, ...)

Prints one "ok ..." or "FAIL ..." line per check and document (run.sh
counts them); a FAIL is followed by up to MAX_SHOWN offending lines, each
"   <file> p.<page>: <line>". The checks (numbers as in run.sh):

  1  placeholders      an unfilled template placeholder {word}
  2a measures-repeated the same countermeasure (department, indicator name
                       and numbers taken out) for more than MAX_SAME problems
                       and more than MAX_SHARE of all of them
  2b generic-measure   "在下一年度工作计划中提出针对性措施" in a 终期评估 document
  3  department        "未明确责任部门要": a missing department used as a
                       subject (the accepted wording is 责任部门待明确)
  3b zero-wording      "杜绝<indicator name>再次发生" where the name is a count,
                       share or rate (杜绝较大以上事故起数占比再次发生): a figure
                       stays at 0, only events 发生
  4  percent-gap       a gap in % ("低于目标0.6%", "高出目标", "还差"): a
                       difference of percentages is 个百分点
  5  fractional-count  "还差0.4起", "发生1.5起": a fractional count of events,
                       people, places... in a gap phrase (a mean's gap says
                       it is one: "还差年均0.3人")
  5b small-count      a rate or share missed on fewer than 10 events or units
                       (assessment.csv small_count) whose problem sentence
                       does not say what it rests on (基数小)
  6  ascii-noise       indicator ids (N1, S17_max, b29a, 22-11a), snake_case
                       identifiers, plan ids, file names, "planeval", English
                       words of 3+ letters, float noise (7+ decimals), a
                       negative zero (-0), a coded unit (1是=1), plan line
                       refs (L42), in the
                       brief and the report before its appendices
  7a year-list         years joined by spaces ("2021 2022年"; 、 is right)
  7b year-range        an ASCII hyphen range "2021-2025" outside the plan title
                       (the plans write 2021—2025年)
  8a binding-none      "约束性指标没有未达标的" while a binding target is shown
                       未达标 or 难以达标
  8b status-vs-figure  难以达标/未达标 next to a figure that meets its target
  8c decrease-gap      "仅下降A%，距下降B%的目标" with A >= B
  8d overdue           逾期 for a task due in the evaluation year (due 31
                       December of that year: not overdue)
  8e data-cutoff       数据截至YYYY年 later than 评估年度YYYY年
  8g hold-demand       a countermeasure asking to make up a gap (须降低, 还需
                       提高, 还差, 上升/下滑的原因) for a figure its problem
                       says already meets the target
  9a heading-numbers   一、二、… strictly increasing, never repeated; no 一、-style
                       heading nested under another; level 2 （一）, level 3 1.
  9b contents          the contents = the bookmarks (titles, order, pages),
                       and each bookmark lands on the page with its heading
  10 provenance        page 1 says the data are illustrative (示例数据)
  11 brief-layout      at most 4 pages; page 1 has, in order, the overall
                       situation, the red flags and the most serious findings;
                       the last page not mostly empty while items are deferred
                       to the report
  12 ranking           (huantai-2021-2025, final stage, brief only) the first
                       finding is not an interim target whose final target is
                       met; 森林火灾24小时扑灭率, when missed, comes before any
                       interim 2022 item
"""
import bisect
import collections
import csv
import json
import os
import re
import subprocess
import sys

MAX_SAME = 3          # check 2a: a countermeasure may be shared by at most 3 problems ...
MAX_SHARE = 0.5       # ... or, when more, by at most half of them: actions are worded per
                      # kind of target and stage, so tasks of one kind share a sentence
MAX_SHOWN = 4         # offending lines printed per failed check
BRIEF_MAX_PAGES = 4
EMPTY_LAST_PAGE = 0.35  # check 11: last page at most 35 % emptier than the fullest
LAST_PAGE_FILL = 0.65   # check 11 (with -bbox): text reaches at least 65 % down the last page

CN = "一二三四五六七八九十"
TOP_HEAD = re.compile(r"^([%s]+)、" % CN)
SUB_HEAD = re.compile(r"^（([%s]+)）" % CN)
NUM_HEAD = re.compile(r"^(\d+)[.．]\s*\S")
PAGE_FOOTER = re.compile(r"^第\d+页\s*共\d+页$")

# check 6: what is ASCII but legitimate in Chinese running text. Units and
# abbreviations a county reader uses every day; everything else ASCII is
# something the program leaked (ids, files, its own name).
ASCII_ALLOW = ["PM2.5", "PM10", "GDP", "APP", "App", "GIS", "GPS", "Excel",
               "4G", "5G", "km2", "hm2", "km", "kg", "m2", "m3", "kV", "kW", "MW", "MHz"]
ASCII_RULES = [
    ("float noise", re.compile(r"\d+\.\d{7,}")),
    ("negative zero", re.compile(r"(?<![\d.])-0(?:\.0+)?(?![\d.])")),
    ("coded unit", re.compile(r"[\u4e00-\u9fff]=\d")),
    ("file name", re.compile(r"[\w./-]*\w\.(?:csv|ya?ml|pdf|xlsx|json|md|txt|png|svg)(?![A-Za-z])|README", re.I)),
    ("plan id", re.compile(r"(?<![A-Za-z0-9_])[a-z]+(?:-[a-z]+)*-(?:19|20)\d\d-(?:19|20)\d\d(?![\d])")),
    ("program name", re.compile(r"planeval", re.I)),
    ("snake_case identifier", re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_])")),
    ("id", re.compile(r"(?<![A-Za-z0-9_.-])(?:[A-Z]{1,3}\d+[a-z]?|[a-z]\d+[a-z]?|\d{2}-\d+[a-z]?)(?![A-Za-z0-9_-]|\.\d)")),
    ("English word", re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")),
]

shown_results = []


def run(*args):
    p = subprocess.run(args, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def squash(s):
    return re.sub(r"\s+", "", s)


def cn2int(s):
    """一..九十九 -> int"""
    if not s:
        return 0
    if s == "十":
        return 10
    if "十" in s:
        a, b = s.split("十", 1)
        return (CN.index(a) + 1 if a else 1) * 10 + (CN.index(b) + 1 if b else 0)
    return CN.index(s) + 1 if len(s) == 1 else 0


# ---------------------------------------------------------------- documents

class Doc:
    """One PDF as text. pages: raw lines per page with the running header and
    the page footer taken out; layout: `pdftotext -layout` lines per page;
    outline: [(depth, title, page)]."""

    def __init__(self, name, kind, raw_pages, layout_pages=None, outline=None, status=None,
                 last_fill=None):
        self.name, self.kind = name, kind
        self.last_fill = last_fill  # how far down the last page the text reaches (0..1), if measured
        raw_pages = [[l.rstrip() for l in p] for p in raw_pages]
        # the running header: the line above "第N页 共M页" (pdftotext -raw
        # gives both first on every page but the report's cover)
        firsts = collections.Counter(p[0] for p in raw_pages if len(p) > 1 and PAGE_FOOTER.match(p[1].strip()))
        self.header = firsts.most_common(1)[0][0] if firsts else None
        self.pages = [[l for l in p if l.strip() and l != self.header and not PAGE_FOOTER.match(l.strip())]
                      for p in raw_pages]
        self.layout = layout_pages if layout_pages is not None else raw_pages
        self.outline = outline or []
        self.status = status or {}  # indicator name -> status_zh list (assessment.csv)
        head = self.header or (raw_pages[0][0] if raw_pages and raw_pages[0] else "")
        self.plan_title = head.rsplit(" ", 1)[0] if " " in head else ""
        first = squash("".join(self.pages[0])) if self.pages else ""
        all_text = "".join(squash("".join(p)) for p in self.pages)
        self.stage = next((s for s in ("终期评估", "中期评估", "年度监测") if s in squash(head) or s in first), "")
        m = re.search(r"评估年度：?(\d{4})年", first) or re.search(r"评估年度：?(\d{4})年", all_text)
        self.eval_year = int(m.group(1)) if m else None
        m = re.search(r"数据截至(\d{4})年", first)
        self.data_year = int(m.group(1)) if m else None
        self.body_end = self._appendix_start()

    def _appendix_start(self):
        """(page, line) of the first appendix heading after the contents."""
        toc = set(self.toc_pages())
        for pi, p in enumerate(self.pages):
            if pi in toc:
                continue
            for li, l in enumerate(p):
                if re.match(r"^附录[%s]+\s*\S" % CN, l) and not re.search(r"\s\d+$", l):
                    return (pi, li)
        return (len(self.pages), 0)

    def toc_pages(self):
        out = []
        for pi, p in enumerate(self.pages[:6]):
            if out or any(squash(l) == "目录" for l in p):
                entries = [l for l in p if squash(l) != "目录"]
                if out and not all(re.search(r"\s\d+$", l) for l in entries[:3]):
                    break
                out.append(pi)
        return out

    def lines(self, body_only=False):
        """(page index, line) over the document (or the report before its
        appendices)."""
        for pi, p in enumerate(self.pages):
            for li, l in enumerate(p):
                if body_only and (pi, li) >= self.body_end:
                    return
                yield pi, l

    def joined(self, body_only=False):
        """Per page: the lines joined without separators (Chinese wraps at any
        character), with the offset where each line starts."""
        for pi, p in enumerate(self.pages):
            if body_only and pi > self.body_end[0]:
                return
            lines = p if not body_only or pi < self.body_end[0] else p[:self.body_end[1]]
            starts, text = [], ""
            for l in lines:
                starts.append(len(text))
                text += l.strip()
            yield pi, text, lines, starts


def where(doc, pi, lines, starts, a, b):
    i = bisect.bisect_right(starts, a) - 1
    j = bisect.bisect_right(starts, max(a, b - 1)) - 1
    return (pi, " ⏎ ".join(l.strip() for l in lines[i:j + 1]))


def find_joined(doc, regex, body_only=False, accept=None):
    hits = []
    for pi, text, lines, starts in doc.joined(body_only):
        for m in regex.finditer(text):
            if accept is None or accept(m, text):
                hits.append(where(doc, pi, lines, starts, m.start(), m.end()))
    return hits


# ---------------------------------------------------------------- detectors
# Each takes a Doc and returns a list of (page index, offending line), or
# None when the check does not apply to that document.

def d_placeholders(doc):
    return find_joined(doc, re.compile(r"\{[A-Za-z_]+\}"))


def paragraphs(doc):
    """(page, text, first line) of each numbered problem / 对策 paragraph."""
    starts_new = re.compile(r"^(\d+[.．]\s|对策：|[%s]+、|（[%s]+）|另有|注：|附录|表\d+|图\d+)" % (CN, CN))
    paras, cur = [], None
    for pi, l in doc.lines():
        s = l.strip()
        if starts_new.match(s):
            cur = [pi, s, s]
            paras.append(cur)
        elif cur is not None and len(cur[1]) < 600:
            cur[1] += s
    return paras


def measure_templates(doc):
    """countermeasure template -> [(page, line)]: the 对策 text with the
    department (before 要), the problem's indicator name and every number
    taken out."""
    out = collections.defaultdict(list)
    name = None
    for pi, text, first in paragraphs(doc):
        m = re.match(r"^\d+[.．]\s*(.*)", text)
        if m:
            body = m.group(1)
            q = re.search(r"“([^”]+)”", body)
            n = re.match(r"(.+?)(?:未达标|预计难以|存在不能|应于\d{4}|经评估|缺\d{4}|：)", body)
            name = q.group(1) if q and body.startswith("约束性") else (n.group(1) if n else None)
            continue
        if text.startswith("对策："):
            t = text[3:]
            k = t.find("要")
            if 0 <= k <= 80:
                t = t[k:]
            if name:
                t = t.replace(name, "〈指标〉")
            t = re.sub(r"\d+(?:\.\d+)?", "#", t)
            out[t].append((pi, first))
    return out


def d_measures_repeated(doc):
    hits = []
    forms = measure_templates(doc)
    total = sum(len(w) for w in forms.values())
    for t, where_ in forms.items():
        if len(where_) > MAX_SAME and len(where_) > MAX_SHARE * total:
            hits.append((where_[0][0], "%d× %s" % (len(where_), t[:60])))
    return hits


GENERIC = "在下一年度工作计划中提出针对性措施"


def d_generic_measure(doc):
    if doc.stage != "终期评估":
        return None
    return find_joined(doc, re.compile(GENERIC))


def d_department(doc):
    return find_joined(doc, re.compile(r"未明确责任部门要"))


def d_zero_wording(doc):
    return find_joined(doc, re.compile(r"杜绝[^，。；]*?(?:起数|人数|次数|占比|比例|率)(?:（[^）]*）)?再次发生"))


def d_percent_gap(doc):
    return find_joined(doc, re.compile(r"(?:低于目标|高出目标|还差)\d+(?:\.\d+)?%"))


def d_fractional(doc):
    return find_joined(doc, re.compile(
        r"(?:还差|还需|发生|多出|超出|低于目标|高出目标)\d+\.\d+(?:起|人次|人|次|处|家|支|名|个(?!百分点))(?![/／])"))


def d_small_count(doc, small):
    """small: names of rates/shares missed on a count under 10 (assessment.csv)."""
    hits = []
    for name in sorted(small):
        rx = re.compile(re.escape(name) + r"未达标：[^。]*。")
        hits += find_joined(doc, rx, accept=lambda m, text: "基数小" not in m.group(0))
    return hits


def small_count_names(rows):
    """Rates and shares (a unit with / % ‰) judged not met on 1-9 events or
    units, read on one year or a window (a change between period means rests
    on two windows and is left out)."""
    names = set()
    for r in rows:
        if (r["small_count"] == "yes" and r["status"] == "not_met" and r["count"]
                and float(r["count"]) >= 1 and re.search(r"[/%‰]", r["unit"])
                and r["baseline_reading"] not in ("period_mean", "period_total")):
            names.add(r["name"])
    return names


def d_ascii(doc):
    hits = []
    for pi, l in doc.lines(body_only=True):
        s = l
        for a in ASCII_ALLOW:
            s = re.sub(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(a), " ", s)
        seen = []
        for what, rx in ASCII_RULES:
            for m in rx.finditer(s):
                seen.append("%s %s" % (what, m.group(0)))
                s = s[:m.start()] + " " * (m.end() - m.start()) + s[m.end():]
        if seen:
            hits.append((pi, "%s  [%s]" % (l.strip(), "; ".join(seen[:3]))))
    return hits


YEAR = r"(?:19|20)\d\d"


def d_year_list(doc):
    rx = re.compile(r"(?<![\d.])%s(?: %s)+年" % (YEAR, YEAR))
    hits = []
    for pi, p in enumerate(doc.pages):
        for i, l in enumerate(p):
            if rx.search(l) and not (hits and hits[-1][1].endswith(" ⏎ " + l.strip())):
                hits.append((pi, l.strip()))
            # a list wrapped at its space: "…，2021" ⏎ "2022 2023年"
            if re.search(r"[^\d\s]%s$" % YEAR, l.rstrip()) and i + 1 < len(p) and \
                    re.match(r"%s(?: %s)*年" % (YEAR, YEAR), p[i + 1].strip()):
                hits.append((pi, l.strip() + " ⏎ " + p[i + 1].strip()))
    return hits


def d_year_range(doc):
    title = doc.plan_title
    rx = re.compile(r"(?<![A-Za-z0-9_./-])(%s)\s?-\s?(%s)(?![\d-])(?!\.ya?ml)" % (YEAR, YEAR))

    def accept(m, text):
        r = m.group(0)
        if title and r in title:
            before = title[:title.index(r)][-3:]
            if text[:m.start()].endswith(before):
                return False
        return True

    return find_joined(doc, rx, accept=accept)


STATUS_COLS = {"已达标": "met", "进展顺利": "on", "存在风险": "risk", "难以达标": "unlikely",
               "未达标": "off", "数据不足": "nodata", "不适用": "na"}


def binding_bad(doc):
    """Where the document shows a binding (约束性) target 未达标 or 难以达标."""
    hits = []
    hits += find_joined(doc, re.compile(r"(?:未达标|难以达标)｜约束性|约束性指标“[^”]+”(?:未达标|预计难以)"))
    hits += find_joined(doc, re.compile(r"其中约束性目标\d+个[^。]*?(?:未达标|难以达标)[1-9]\d*个"))
    for pi, p in enumerate(doc.pages):
        cols = None
        for l in p:
            t = l.split()
            if t and t[0] == "属性":
                cols = [STATUS_COLS.get(re.sub(r"^[^\u4e00-\u9fff]+", "", c), c) for c in t[1:]]
            elif cols and t and t[0] == "约束性":
                for c, v in zip(cols, t[1:]):
                    if c in ("unlikely", "off") and v.isdigit() and int(v) > 0:
                        hits.append((pi, l.strip()))
                        break
    return hits


def d_binding_none(doc):
    claims = find_joined(doc, re.compile(r"约束性(?:指标|目标)(?:没有未达标|均已达标|全部达标)"))
    if not claims:
        return []
    bad = binding_bad(doc)
    return [(c[0], "%s  (but p.%d: %s)" % (c[1], bad[0][0] + 1, bad[0][1][:50])) for c in claims] if bad else []


ATTENTION_WORDS = ("存在风险", "难以达标", "未达标")


def first_joined(doc, regex):
    """The first match of regex in the joined text, and where it is; or None."""
    for pi, text, lines, starts in doc.joined(False):
        m = regex.search(text)
        if m:
            return m.group(0), where(doc, pi, lines, starts, m.start(), m.end())
    return None


def d_attention_count(doc):
    """The brief's 重点指标情况 intro (its indicators plus the tasks it
    sends elsewhere) counts what the 总体情况 sentence counts as 存在风险,
    难以达标 and 未达标: two figures a reader puts side by side."""
    if doc.kind != "brief":
        return None
    head = first_joined(doc, re.compile(r"规划\d+个目标中[^；。]*"))
    intro = first_joined(doc, re.compile(r"以下\d+个(?:指标)?目标未达标或存在不能按期达标的风险[^。]*。"))
    if not head or not intro:
        return None
    counted = sum(int(n) for w, n in re.findall(r"(%s)(\d+)个" % "|".join(ATTENTION_WORDS), head[0]))
    tasks = re.search(r"另有(\d+)项任务", intro[0])
    listed = int(re.search(r"以下(\d+)个", intro[0]).group(1)) + (int(tasks.group(1)) if tasks else 0)
    if listed == counted:
        return []
    return [(intro[1][0], "%s  (总体情况 counts %d: %s)" % (intro[0], counted, head[0]))]


NUM = r"(\d+(?:\.\d+)?)"
UNIT = r"(%|‰|[^\s\d（(，。；：、—≥≤<>｜]{0,8}?)"


def meets(x, op, t):
    return {"≥": x >= t, ">": x > t, "≤": x <= t, "<": x < t, "=": x >= t}[op]


def d_status_figure(doc):
    hits = []
    word_op = {"不低于": "≥", "达到": "=", "不高于": "≤", "低于": "<", "高于": ">"}
    # (1) a table row: "▼难以达标 2025年100.0%（最新）" then "≥98%（…）" on this or the next lines
    row = re.compile(r"(?:难以达标|未达标)\s+(?:\d{4}年)?%s%s(?:（最新）)?(?=\s|$)" % (NUM, UNIT))
    tgt = re.compile(r"(?:^|\s)(≥|≤|<|>)?%s%s(?=（|\s|$)" % (NUM, UNIT))
    for pi, p in enumerate(doc.pages):
        for i, l in enumerate(p):
            m = row.search(l)
            if not m:
                continue
            x, u = float(m.group(1)), m.group(2)
            rest = [l[m.end():]] + [s for s in p[i + 1:i + 3]]
            for s in rest:
                if re.search(r"难以达标|未达标|达标", s) and s is not rest[0]:
                    break
                t = tgt.search(s)
                if t and t.group(3) == u and (t.group(1) or (u == "%" and float(t.group(2)) == 100)):
                    if meets(x, t.group(1) or "=", float(t.group(2))):
                        hits.append((pi, l.strip() + " ⏎ " + s.strip()))
                    break
    # (2) an item block: "难以达标｜…", "现状：2023年1处", "目标：≥1处"
    for pi, p in enumerate(doc.pages):
        for i, l in enumerate(p):
            if not re.match(r"^(?:难以达标|未达标)｜", l.strip()):
                continue
            fig = tg = None
            for s in p[i + 1:i + 8]:
                if s.startswith("责任部门"):
                    break
                m = re.match(r"^现状：(?:\d{4}年)?%s%s(?:（最新）)?$" % (NUM, UNIT), s.strip())
                if m:
                    fig = (float(m.group(1)), m.group(2))
                m = re.match(r"^目标：(≥|≤|<|>)?%s%s(?:（.*）?)?$" % (NUM, UNIT), s.strip())
                if m:
                    tg = (m.group(1), float(m.group(2)), m.group(3), s.strip())
            if fig and tg and fig[1] == tg[2] and (tg[0] or (tg[2] == "%" and tg[1] == 100)):
                if meets(fig[0], tg[0] or "=", tg[1]):
                    hits.append((pi, "%s ⏎ 现状 %g%s ⏎ %s" % (l.strip(), fig[0], fig[1], tg[3])))
    # (3) running text: "…预计难以按期达标：2025年100.0%（最新），2030年目标≥98%"
    rx = re.compile(r"(?:未达标|难以按期达标|难以达标)：(?:\d{4}年)?%s%s(?:（最新）)?，(?:\d{4}年)?目标(≥|≤|<|>)?%s%s"
                    % (NUM, UNIT, NUM, UNIT))

    def acc(m, text):
        x, u, op, t, tu = float(m.group(1)), m.group(2), m.group(3), float(m.group(4)), m.group(5)
        return u == tu and (op or (u == "%" and t == 100)) and meets(x, op or "=", t)
    hits += find_joined(doc, rx, accept=acc)
    # (4) a chart heading: "未达标 2022年目标：不低于95%；2022年实际96%"
    rx = re.compile(r"(?:难以达标|未达标) \d{4}年目标：(不低于|达到|不高于|低于|高于)%s%s；\d{4}年实际%s%s(?![\d.])"
                    % (NUM, UNIT, NUM, UNIT))

    def acc4(m, text):
        op = word_op[m.group(1)]
        return m.group(3) == m.group(5) and (op != "=" or m.group(3) == "%") and \
            meets(float(m.group(4)), op, float(m.group(2)))
    hits += find_joined(doc, rx, accept=acc4)
    return hits


def d_decrease_gap(doc):
    rx = re.compile(r"仅(下降|上升|提高|增长)(\d+(?:\.\d+)?)%，距\1(\d+(?:\.\d+)?)%的目标")
    return find_joined(doc, rx, accept=lambda m, t: float(m.group(2)) >= float(m.group(3)))


def d_overdue(doc):
    if doc.eval_year is None:
        return None
    y = doc.eval_year
    hits = []
    insec = False
    for pi, l in doc.lines():
        s = l.strip()
        if TOP_HEAD.match(s) or s.startswith("附录"):
            insec = "逾期" in s
            continue
        if insec and re.search(r"(?:^|\s)%d年(?=\s|$)" % y, s):
            hits.append((pi, s))
    hits += find_joined(doc, re.compile(r"应于%d年(?:底前?)?完成[^。]{0,40}逾期(?!完成（%d)" % (y, y + 1)))
    return hits


def d_hold_demand(doc):
    """A countermeasure that asks to make up a gap (须降低, 还需提高, 还差, the
    cause of a rise or fall) for a figure its problem says already meets
    the target (说明：目前数值已达到目标水平…)."""
    hits, problem = [], ""
    demand = re.compile(r"须降低|还需提高|还差|上升的原因|下滑的原因")
    for pi, text, first in paragraphs(doc):
        if re.match(r"^\d+[.．]\s", text):
            problem = text
        elif text.startswith("对策：") and "目前数值已达到目标水平" in problem and demand.search(text):
            hits.append((pi, first))
    return hits


def d_data_cutoff(doc):
    if doc.eval_year is None or doc.data_year is None:
        return None
    if doc.data_year > doc.eval_year:
        return [(0, "评估年度%d年 · 数据截至%d年" % (doc.eval_year, doc.data_year))]
    return []


def number_of(title):
    """('top', n) for 一、; ('sub', n) for （一）; ('num', n) for 1.; else None."""
    t = title.strip()
    m = TOP_HEAD.match(t)
    if m:
        return ("top", cn2int(m.group(1)))
    m = SUB_HEAD.match(t)
    if m:
        return ("sub", cn2int(m.group(1)))
    m = NUM_HEAD.match(t)
    if m:
        return ("num", int(m.group(1)))
    return None


def d_heading_numbers(doc):
    hits = []
    want = {0: "top", 1: "sub", 2: "num"}
    # the bookmarks: per parent, numbered children strictly increasing; the
    # style that fits the depth
    if doc.outline:
        kids = collections.defaultdict(list)
        parent = {}
        for i, (depth, title, page) in enumerate(doc.outline):
            parent[depth] = i
            kids[parent.get(depth - 1, -1) if depth else -1].append(i)
        for p, ch in kids.items():
            last = {}
            for i in ch:
                depth, title, page = doc.outline[i]
                n = number_of(title)
                if not n:
                    continue
                if n[0] != want.get(depth, "num"):
                    hits.append(((page or 1) - 1, "bookmark at level %d numbered as %s: %s"
                                 % (depth + 1, n[0], title)))
                if n[0] in last and n[1] <= last[n[0]]:
                    hits.append(((page or 1) - 1, "bookmark number not increasing: %s (after %s)"
                                 % (title, last[n[0] + "t"])))
                last[n[0]], last[n[0] + "t"] = n[1], title
    # the headings in the text (contents pages left out): 一、二、… increasing
    toc = set(doc.toc_pages())
    last, last_t = 0, ""
    for pi, l in doc.lines():
        if pi in toc:
            continue
        m = TOP_HEAD.match(l.strip())
        if m:
            n = cn2int(m.group(1))
            if n <= last:
                hits.append((pi, "heading %s after %s" % (l.strip(), last_t)))
            last, last_t = n, l.strip()
    return hits


def toc_entries(doc):
    out, carry = [], ""
    for pi in doc.toc_pages():
        for l in doc.pages[pi]:
            if squash(l) == "目录":
                continue
            m = re.match(r"^(.*\S)\s+(\d+)$", carry + l.strip())
            if m:
                out.append((squash(m.group(1)), int(m.group(2))))
                carry = ""
            else:
                carry += l.strip()
    return out


def d_contents(doc):
    if doc.kind != "report":
        return None
    toc = toc_entries(doc)
    marks = [(squash(t), p) for d, t, p in doc.outline]
    if not toc:
        return [(1, "no contents found")]
    hits = []
    # each bookmark lands on a page that shows its heading
    for d, t, p in doc.outline:
        if not p or p > len(doc.pages) or squash(t) not in squash("".join(doc.pages[p - 1])):
            hits.append(((p or 1) - 1, "bookmark “%s” -> p.%s, heading not on that page" % (t, p)))
    if toc == marks:
        return hits
    for i in range(max(len(toc), len(marks))):
        a = toc[i] if i < len(toc) else None
        b = marks[i] if i < len(marks) else None
        if a != b:
            hits.append((1, "entry %d: contents %s, bookmark %s" % (i + 1, a, b)))
    return hits


def d_provenance(doc, illustrative=True):
    if not illustrative:
        return None
    first = squash("".join(doc.pages[0])) if doc.pages else ""
    if "示例数据" in first:
        return []
    return [(0, "page 1 does not say 示例数据: %s…" % first[:40])]


def d_brief_layout(doc):
    if doc.kind != "brief":
        return None
    hits = []
    n = len(doc.pages)
    if n > BRIEF_MAX_PAGES:
        hits.append((n - 1, "%d pages (at most %d)" % (n, BRIEF_MAX_PAGES)))
    first = squash("".join(doc.pages[0]))
    if doc.plan_title:
        first = first.replace(squash(doc.plan_title), "")
    order = [("overall situation", re.search(r"总体", first)),
             ("red flags", re.search(r"重大风险|一票否决", first)),
             ("findings", re.search(r"需要关注|主要问题|突出问题|问题和建议", first))]
    pos = -1
    for what, m in order:
        if not m:
            hits.append((0, "page 1 lacks the %s" % what))
        elif m.start() < pos:
            hits.append((0, "page 1: the %s come before what precedes them in order" % what))
        else:
            pos = m.start()
    counts = [len([l for l in p if l.strip() and l.strip() != (doc.header or "") and
                   not PAGE_FOOTER.match(l.strip()) and not (doc.header and l.strip().startswith(doc.header.split(" ")[0]))])
              for p in doc.layout if any(x.strip() for x in p)]
    text = squash("".join("".join(p) for p in doc.pages))
    deferred = re.search(r"另有\d+(?:条|个|项)|详情见评估报告", text)
    if doc.last_fill is not None:
        # measured with -bbox: chart pages have many short lines, so line
        # counts are only the fallback of the self-test
        if len(counts) > 1 and deferred and doc.last_fill < LAST_PAGE_FILL:
            hits.append((len(counts) - 1, "text ends %.0f %% down the last page, while saying “%s”"
                         % (100 * doc.last_fill, deferred.group(0))))
    elif counts and len(counts) > 1 and deferred and counts[-1] < (1 - EMPTY_LAST_PAGE) * max(counts):
        hits.append((len(counts) - 1, "last page %d lines, fullest %d, while saying “%s”"
                     % (counts[-1], max(counts), deferred.group(0))))
    return hits


def blocks_page1(doc):
    """The numbered finding blocks of page 1 (lines from "1. " to "2. ")."""
    p = doc.pages[0]
    blocks, cur = [], None
    for l in p:
        m = re.match(r"^(\d+)[.．]\s*\S", l.strip())
        if m:
            cur = [l.strip()]
            blocks.append(cur)
        elif cur is not None:
            if TOP_HEAD.match(l.strip()):
                cur = None
            else:
                cur.append(l.strip())
    return blocks


def d_ranking(doc, plan="", fire_missed=None):
    if not (plan.startswith("huantai-") and doc.kind == "brief" and doc.stage == "终期评估"):
        return None
    hits = []
    end = doc.eval_year
    blocks = blocks_page1(doc)
    if blocks:
        b = blocks[0]
        interim = [int(y) for l in b for y in re.findall(r"(?:｜|^未达标 |^难以达标 )(\d{4})年目标", l)
                   if int(y) < end]
        final_met = any(re.match(r"^达标 %d年目标" % end, l) for l in b)
        if interim and final_met:
            hits.append((0, "first finding is an interim %d target whose %d target is met: %s"
                         % (interim[0], end, b[0])))
    if fire_missed:
        fire = interim = None
        for k, (pi, l) in enumerate(doc.lines()):
            if fire is None and "森林火灾24小时扑灭率" in l:
                fire = (k, pi, l.strip())
            if interim is None and re.search(r"｜2022年目标|^(?:未达标|难以达标) 2022年目标|[■▼▲]\S*\s+2022年", l.strip()):
                interim = (k, pi, l.strip())
        if interim and (fire is None or fire[0] > interim[0]):
            hits.append((interim[1], "first interim 2022 item “%s” comes before 森林火灾24小时扑灭率 (missed; %s)"
                         % (interim[2], "p.%d" % (fire[1] + 1) if fire else "not in the brief")))
    return hits


CHECKS = [
    ("1", "no unfilled {placeholder}", d_placeholders),
    ("2a", "no countermeasure sentence for more than %d problems and half of them" % MAX_SAME, d_measures_repeated),
    ("2b", "no generic “%s” in a final evaluation" % GENERIC, d_generic_measure),
    ("3", "no “未明确责任部门要” (missing department as subject)", d_department),
    ("3b", "no “杜绝<count, share or rate>再次发生”", d_zero_wording),
    ("4", "gaps of percentages in 个百分点, not %", d_percent_gap),
    ("5", "no fractional count of events/people in a gap", d_fractional),
    ("5b", "a rate or share missed on a small count says so (基数小)", d_small_count),
    ("6", "no ids, file names, program name, English or float noise in the text", d_ascii),
    ("7a", "years listed with 、, not spaces", d_year_list),
    ("7b", "year ranges with —, not an ASCII hyphen (plan title exempt)", d_year_range),
    ("8a", "no “约束性指标没有未达标的” while a binding target is missed", d_binding_none),
    ("8b", "no 未达标/难以达标 beside a figure that meets its target", d_status_figure),
    ("8c", "no “仅下降A%，距下降B%” with A >= B", d_decrease_gap),
    ("8d", "nothing due in the evaluation year called 逾期", d_overdue),
    ("8e", "data cutoff not after the evaluation year", d_data_cutoff),
    ("8g", "no gap to make up for a figure that already meets its target", d_hold_demand),
    ("8f", "the attention list's count (with the tasks listed elsewhere) = 总体情况's", d_attention_count),
    ("9a", "heading numbers increasing, none repeated or nested", d_heading_numbers),
    ("9b", "contents = bookmarks = headings", d_contents),
    ("10", "page 1 says the data are illustrative (示例数据)", d_provenance),
    ("11", "brief layout (pages, page-1 order, no empty last page)", d_brief_layout),
    ("12", "huantai final brief: ranking of findings", d_ranking),
]

results = []


def report(ok, label, hits=(), fname=""):
    results.append(ok)
    print(("ok " if ok else "FAIL ") + label + ("" if ok else " (%d)" % len(hits)))
    if not ok:
        for pi, line in list(hits)[:MAX_SHOWN]:
            print("   %s p.%d: %s" % (fname, pi + 1, line[:160]))


# ---------------------------------------------------------------- reading PDFs

def read_pdf(path, kind, name, status=None):
    rc, raw = run("pdftotext", "-raw", "-enc", "UTF-8", path, "-")
    rc2, lay = run("pdftotext", "-layout", "-enc", "UTF-8", path, "-")
    raw_pages = [p.split("\n") for p in raw.split("\f")]
    lay_pages = [p.split("\n") for p in lay.split("\f")]
    if raw_pages and not any(l.strip() for l in raw_pages[-1]):
        raw_pages.pop()
    if lay_pages and not any(l.strip() for l in lay_pages[-1]):
        lay_pages.pop()
    outline = []
    rc3, js = run("qpdf", "--json", "--json-key=outlines", path)
    try:
        def walk(items, d):
            for o in items:
                outline.append((d, o.get("title", ""), o.get("destpageposfrom1")))
                walk(o.get("kids", []), d + 1)
        walk(json.loads(js).get("outlines", []), 0)
    except ValueError:
        pass
    last_fill = None
    if kind == "brief" and raw_pages:
        n = len(raw_pages)
        rc4, bb = run("pdftotext", "-bbox", "-f", str(n), "-l", str(n), path, "-")
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', bb)
        if m:
            h = float(m.group(2))
            ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', bb)]
            body = [y for y in ys if 0.08 * h < y < 0.92 * h]  # running head and footer out
            last_fill = max(body) / h if body else 0.0
    return Doc(name, kind, raw_pages, lay_pages, outline, status, last_fill)


def check_dir(label, out_dir, illustrative):
    if not os.path.isdir(out_dir):
        report(False, "%s: plans rendered (no %s)" % (label, out_dir))
        return
    plans = sorted(d for d in os.listdir(out_dir) if os.path.exists(os.path.join(out_dir, d, "assessment.csv")))
    report(bool(plans), "%s: plans rendered (%s)" % (label, " ".join(plans)))
    for plan in plans:
        pdir = os.path.join(out_dir, plan)
        status = collections.defaultdict(list)
        with open(os.path.join(pdir, "assessment.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            status[row["name"]].append(row["status"])
        small = small_count_names(rows)
        fire_missed = "not_met" in status.get("森林火灾24小时扑灭率", [])
        for kind in ("brief", "report"):
            pdf = os.path.join(pdir, kind + ".pdf")
            name = "%s/%s %s" % (label, plan, kind)
            if not os.path.exists(pdf):
                report(False, "%s: %s.pdf written" % (name, kind))
                continue
            doc = read_pdf(pdf, kind, name, status)
            fname = "%s/%s/%s.pdf" % (label, plan, kind)
            for no, what, fn in CHECKS:
                if fn is d_provenance:
                    hits = fn(doc, illustrative)
                elif fn is d_ranking:
                    hits = fn(doc, plan, fire_missed)
                elif fn is d_small_count:
                    hits = fn(doc, small)
                else:
                    hits = fn(doc)
                if hits is None:
                    continue
                report(not hits, "%s: %s %s" % (name, no, what), hits, fname)


# ---------------------------------------------------------------- self-test

def synth(kind, pages, outline=None, header="某县应急管理规划（2021—2025） 终期评估报告"):
    raw = []
    for i, p in enumerate(pages):
        raw.append([header, "第%d页 共%d页" % (i + 1, len(pages))] + p.strip("\n").split("\n"))
    return Doc("self-test", kind, raw, None, outline)


P1 = "评估年度2025年 · 数据截至2025年\n本简报使用示例数据。\n一、总体情况\n二、重大风险提示\n● 无。\n三、需要关注的指标\n1. 某指标"


def self_test():
    cases = []

    def case(no, fn, bad, good, *extra):
        cases.append((no, fn, bad, good, extra))

    b = lambda *pages: synth("brief", [P1] + list(pages))
    r = lambda *pages, **k: synth("report", list(pages), k.get("outline"))
    case("1", d_placeholders, b("目标：{target}（{target_year}）"), b("目标：≥95%（{grade=\"重大\"}）"))
    meas = "\n".join("%d. 指标%s未达标：2025年%d人。\n对策：县%s局要分析未达标原因，采取措施%d项。" % (i, c, i, c, i)
                     for i, c in enumerate("甲乙丙丁", 1))
    meas_ok = "\n".join("%d. 指标%s未达标：2025年%d人。\n对策：县%s局要%s。" % (i, c, i, c, w)
                        for i, (c, w) in enumerate(zip("甲乙丙丁", ["查找原因", "补齐短板", "加强巡查", "开展演练"]), 1))
    case("2a", d_measures_repeated, b(meas), b(meas_ok))
    head = "截至2025年，规划30个目标中已达标10个，存在风险2个，难以达标3个，未达标5个。\n"
    case("8f", d_attention_count, b(head + "以下7个目标未达标或存在不能按期达标的风险，按严重程度排列。"),
         b(head + "以下7个指标目标未达标或存在不能按期达标的风险，按严重程度排列；另有3项任务类事项未完成或存在风险，详见评估报告。"))
    case("2b", d_generic_measure, b("对策：县应急局要分析原因，在下一年度工作计划中提\n出针对性措施并跟踪落实。"),
         b("对策：县应急局要对照目标查找差距，明确完成时限并按季度报告进展。"))
    case("2b'", d_generic_measure, b("对策：县应急局要分析原因，在下一年度工作计划中提出针对性措施。"),
         synth("brief", ["对策：县应急局要分析原因，在下一年度工作计划中提出针对性措施。"],
               header="某县规划 领导简报·中期评估"))  # a mid-term document: not checked
    case("3", d_department, b("对策：规划未明确责任部\n门要专题研究。"), b("对策：责任部门待明确，建议县政府指定。"))
    case("4", d_percent_gap, b("差距：低于目标0.6%"), b("差距：低于目标0.6个百分点；达标率95.0%"))
    case("5", d_fractional, b("距下降10%的目标还差0.4起"),
         b("还差1起；还差0.0043人/亿元；还差0.5个百分点；年均4.8人；还差年均0.3人"))
    case("5b", d_small_count, b("3. 某站建设率未达标：2025年50%，目标100%，低于目标50个百分点。"),
         b("3. 某站建设率未达标：2025年50%，目标100%，低于目标50个百分点（据2025年2个中的1个计算，基数小，数值波动大，应谨慎解读）。"),
         {"某站建设率"})
    case("6", d_ascii, b("N1 年均因灾直接经济损失（events.csv）由planeval生成，见report.pdf，取forest_rate_scale，"
                         "huantai-2021-2025，0.14716882002951073，score，低于目标-0处，与L42"),
         b("亿元GDP生产安全事故死亡率；PM2.5浓度；5G执法记录仪；370M专网；AB岗；10万m3"))
    case("7a", d_year_list, b("差距：2021 2022 2023年未达到"), b("差距：2021、2022、2023年未达到\n2016 2018 2020 2022 2024"))
    case("7a'", d_year_list, b("目标100%（每年），2021\n2022 2023年未达到。"), b("目标100%（每年），2021、\n2022年未达到。"))
    case("7b", d_year_range, synth("report", ["《某区规划（2020-2030年）》对2021-2025年提出要求"],
                                   header="某区规划（2020-2030年） 中期评估报告"),
         synth("report", ["《某区规划（2020-2030年）》对2021—2025年提出要求\nindicators/x-2021-2025.yaml：提示"],
               header="某区规划（2020-2030年） 中期评估报告"))
    case("8a", d_binding_none, b("● 约束性指标没有未达标的。\n难以达标｜约束性｜2025年目标"),
         b("● 约束性指标没有未达标的。\n进展顺利｜约束性｜2025年目标"))
    case("8a'", d_binding_none,
         b("属性 ●已达标 ○进展顺利 ▲存在风险 ▼难以达标 ■未达标 合计\n约束性 0 0 0 3 0 3\n约束性指标没有未达标的"),
         b("属性 ●已达标 ○进展顺利 ▲存在风险 ▼难以达标 ■未达标 合计\n约束性 3 0 0 0 0 3\n约束性指标没有未达标的"))
    case("8b", d_status_figure, b("处置率 ▼难以达标 2025年100.0%（最新）\n≥98%（2026—2030年合计比\n率）"),
         b("处置率 ▼难以达标 2025年97.0%（最新）\n≥98%（2026—2030年合计比\n率）"))
    case("8b'", d_status_figure, b("难以达标｜2025年目标\n现状：2023年1处\n目标：≥1处\n责任部门：县应急局"),
         b("难以达标｜2025年目标\n现状：2023年0处\n目标：≥1处\n责任部门：县应急局"))
    case("8b''", d_status_figure, b("9. 处置率预计难以按期达标：2025年100.0%（最新），2030年目标≥98%（合计）。"),
         b("9. 处置率预计难以按期达标：2025年90.0%（最新），2030年目标≥98%（合计）。"))
    case("8c", d_decrease_gap, b("差距：仅下降13%，距下降10%的目标还差0.1起"), b("差距：仅下降4%，距下降10%的目标还差0.3人"))
    case("8d", d_overdue, b("四、逾期未完成的任务\n建设基地 2025年 推进中（2025年12月31日） 县应急局\n五、问题"),
         b("四、逾期未完成的任务\n建设基地 2022年 逾期完成（2023年6月30日） 县应急局\n五、问题\n建设库 2025年 推进中"))
    case("8e", d_data_cutoff, synth("brief", ["评估年度2023年 · 数据截至2025年"]),
         synth("brief", ["评估年度2023年 · 数据截至2023年"]))
    case("8g", d_hold_demand,
         b("3. 资金规模存在不能按期达标的风险：2023年2050万元。\n说明：目前数值已达到目标水平，但按趋势预测2025年达标概率为79.8%，判为存在风险。\n"
           "对策：查明资金规模下滑的原因，2025年底前提高到1850万元以上（还需提高200万元）。"),
         b("3. 资金规模存在不能按期达标的风险：2023年2050万元。\n说明：目前数值已达到目标水平，但按趋势预测2025年达标概率为79.8%，判为存在风险。\n"
           "对策：巩固现有成效，2025年底前将资金规模保持在1850万元以上。\n4. 死亡人数未达标：2025年5人。\n对策：较目前须降低1人。"))
    outl_bad = [(0, "一、总体评估", 1), (0, "二、分领域评估", 1), (1, "（一）专栏1", 1), (1, "二、规划目标", 1),
                (0, "三、比较", 1), (0, "三、问题", 1)]
    outl_ok = [(0, "一、总体评估", 1), (0, "二、分领域评估", 1), (1, "（一）专栏1", 1), (2, "1. 自然灾害", 1),
               (1, "（二）规划目标", 1), (0, "三、比较", 1), (0, "四、问题", 1)]
    case("9a", d_heading_numbers, r("一、总体评估\n二、分领域评估\n二、规划目标\n三、比较", outline=outl_bad),
         r("一、总体评估\n二、分领域评估\n（一）专栏1\n1. 自然灾害\n（二）规划目标\n三、比较\n四、问题", outline=outl_ok))
    toc_ok = "目 录\n" + "\n".join("%s 1" % t for d, t, p in outl_ok)
    case("9b", d_contents, r(toc_ok.replace("四、问题 1", "四、问题 2"), "正文", outline=outl_ok),
         r(toc_ok, "正文", outline=outl_ok))
    case("10", d_provenance, synth("brief", ["一、总体情况"]), synth("brief", ["本简报使用示例数据，不是官方统计。"]))
    full = "\n".join("第%d行内容" % i for i in range(40))
    case("11", d_brief_layout, b(full, "五、问题和建议\n另有14条问题和建议，见评估报告。"),
         b(full, full + "\n另有2条问题和建议，见评估报告。"))
    case("11'", d_brief_layout, synth("brief", ["一、需要关注的指标\n1. 某\n二、总体情况\n三、重大风险提示"]),
         synth("brief", ["一、总体情况\n二、重大风险提示\n三、需要关注的指标\n1. 某"]))
    rank_bad = synth("brief", [P1 + "\n未达标 2022年目标：不高于0.01\n达标 2025年目标：不高于0.01\n未达标｜2022年目标\n"
                                    "2. 森林火灾24小时扑灭率\n未达标｜2025年目标"], header="桓台县规划 领导简报·终期评估")
    rank_ok = synth("brief", [P1 + "\n未达标｜2025年目标\n2. 森林火灾24小时扑灭率\n未达标｜2025年目标\n"
                                   "3. 某\n未达标｜2022年目标"], header="桓台县规划 领导简报·终期评估")
    case("12", d_ranking, rank_bad, rank_ok, "huantai-2021-2025", True)
    for no, fn, bad, good, extra in cases:
        hb, hg = fn(bad, *extra), fn(good, *extra)
        ok = bool(hb) and not hg
        results.append(ok)
        print(("ok " if ok else "FAIL ") + "self-test %s %s: fires on the bad text only" % (no, fn.__name__)
              + ("" if ok else " (bad: %r; good: %r)" % (hb, hg)))


def main(argv):
    if argv[1:2] == ["--self-test"]:
        self_test()
        return 0 if all(results) else 1
    readme = "data/README.md"
    args = argv[1:]
    if args[:1] == ["--data-readme"]:
        readme, args = args[1], args[2:]
    try:
        illustrative = "illustrative" in open(readme, encoding="utf-8").read().lower()
    except OSError:
        illustrative = True
    for a in args:
        label, _, d = a.partition("=")
        check_dir(label, d, illustrative)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
