#!/usr/bin/env python3
"""tests/hostile/pdf_limits.py PDF [MIN_PAGES]

The PDF object limits an input could reach (docs/guarantees.md): every
array (the page tree's Kids, the fonts' W width arrays and their runs)
within PDF 1.4's 8,191 elements, every node of the page tree over at
most 1,024 pages, every page in the tree, and at least
MIN_PAGES pages. Prints "pages N, largest Kids K, W entries E, longest
W run R"; exit status 1 when a limit is over.
"""
import re
import subprocess
import sys
import tempfile


def array_at(s, i):
    """Top-level element count of the array opening at s[i] == '[', and its longest inner array."""
    depth, n, tok, inner, longest = 0, 0, False, 0, 0
    while True:
        c = s[i]
        if c == "[":
            depth += 1
            if depth == 2:
                n += 1
                inner = 0
        elif c == "]":
            depth -= 1
            if depth == 0:
                return n, longest
        elif not c.isspace():
            if not tok:
                if depth == 1:
                    n += 1
                else:
                    inner += 1
                    longest = max(longest, inner)
            tok = True
        if c.isspace() or c in "[]":
            tok = False
        i += 1


def main(argv):
    path, min_pages = argv[0], int(argv[1]) if len(argv) > 1 else 1
    with tempfile.NamedTemporaryFile(suffix=".pdf") as q:
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", path, q.name], check=True)
        s = open(q.name, "rb").read().decode("latin-1")
    kids = [len(re.findall(r"\d+ \d+ R", m.group(1))) for m in re.finditer(r"/Kids \[([^\]]*)\]", s)]
    widths = [array_at(s, m.end() - 1) for m in re.finditer(r"/W \[", s)]
    pages = int(subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True)
                .stdout.split("Pages:")[1].split()[0])
    leaves = len(re.findall(r"/Type /Page\b(?!s)", s))
    wmax = max((w[0] for w in widths), default=0)
    rmax = max((w[1] for w in widths), default=0)
    print("pages %d, largest Kids %d, W entries %d, longest W run %d" % (pages, max(kids), wmax, rmax))
    ok = pages >= min_pages and leaves == pages and max(kids) <= 1024 and wmax <= 8191 and rmax <= 8191
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
