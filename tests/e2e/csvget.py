#!/usr/bin/env python3
"""Read cells of planeval's output CSV files, for tests/e2e/run.sh.

  csvget.py FILE COLUMN KEY=VALUE...   print COLUMN of the one row whose KEY
                                       columns equal VALUE (exit 2 when no row
                                       or several rows match, or no such column)
  csvget.py --count FILE KEY=VALUE...  print how many rows match
  (a condition KEY!=VALUE selects the rows whose KEY is not VALUE)
  csvget.py --flat FILE K1 K2          print every cell as "K1-value TAB
                                       K2-value TAB column TAB cell" (newlines,
                                       tabs and backslashes in cells escaped as
                                       \\n, \\t, \\\\), for fast lookups with awk
  csvget.py --nonshortest FILE         print every numeric cell that is not
                                       written as the shortest decimal that
                                       reads back as the same double
                                       ("line:column: text  (shortest: ...)")

Examples:
  csvget.py out/fx-2021-2025/assessment.csv status indicator_id=A1 target_no=1
  csvget.py out/fx-2021-2025/series.csv value indicator_id=A1 year=2025
"""
import csv
import re
import signal
import sys
from decimal import Decimal

NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")


def die(msg):
    sys.stderr.write("csvget: %s\n" % msg)
    sys.exit(2)


def read(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.reader(f))
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    except UnicodeDecodeError as e:
        die("%s: not UTF-8: %s" % (path, e))


def select(rows, conds):
    header = rows[0]
    where = []
    for c in conds:
        if "=" not in c:
            die("condition %r is not KEY=VALUE or KEY!=VALUE" % c)
        k, v = c.split("=", 1)
        neg = k.endswith("!")
        if neg:
            k = k[:-1]
        if k not in header:
            die("no column %r (columns: %s)" % (k, ", ".join(header)))
        where.append((header.index(k), v, neg))
    return [r for r in rows[1:]
            if all(i < len(r) and (r[i] == v) != neg for i, v, neg in where)]


def shortest(text):
    return repr(float(text))


def main(argv):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    if len(argv) >= 2 and argv[0] == "--count":
        rows = read(argv[1])
        print(len(select(rows, argv[2:])))
        return 0
    if len(argv) == 4 and argv[0] == "--flat":
        rows = read(argv[1])
        header = rows[0]
        for k in argv[2:4]:
            if k not in header:
                die("no column %r in %s" % (k, argv[1]))
        i, j = header.index(argv[2]), header.index(argv[3])
        out = []
        for row in rows[1:]:
            for col, cell in zip(header, row):
                cell = cell.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
                out.append("%s\t%s\t%s\t%s\n" % (row[i], row[j], col, cell))
        sys.stdout.write("".join(out))
        return 0
    if len(argv) == 2 and argv[0] == "--nonshortest":
        rows = read(argv[1])
        bad = 0
        for ln, row in enumerate(rows[1:], start=2):
            for col, cell in enumerate(row, start=1):
                if not NUMBER.match(cell):
                    continue
                best = shortest(cell)
                if Decimal(cell).normalize() != Decimal(best).normalize() or \
                        len(Decimal(cell).normalize().as_tuple().digits) > \
                        len(Decimal(best).normalize().as_tuple().digits):
                    print("%d:%d: %s  (shortest: %s)" % (ln, col, cell, best))
                    bad += 1
        return 1 if bad else 0
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    rows = read(argv[0])
    if not rows:
        die("%s is empty" % argv[0])
    header = rows[0]
    if argv[1] not in header:
        die("no column %r in %s" % (argv[1], argv[0]))
    hit = select(rows, argv[2:])
    if len(hit) != 1:
        die("%d rows of %s match %s" % (len(hit), argv[0], " ".join(argv[2:])))
    row = hit[0]
    i = header.index(argv[1])
    print(row[i] if i < len(row) else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
