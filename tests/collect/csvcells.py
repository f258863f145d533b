"""csvcells.py - the cells of data/<region>/*.csv by (table, key, year), read
and blanked independently of planeval (the data dictionary via PyYAML, the
CSV via the csv module). A key is planeval's row key: "var" or
"var|dim=value|...". Used by the round-trip and bad-workbook tests."""
import csv
import glob
import io
import os
import re

import yaml

CANONICAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")


def dictionary(data_dir):
    """The shared dictionary and every region's own (data/<region>/variables/)."""
    tables, variables = {}, {}
    paths = sorted(glob.glob(os.path.join(data_dir, "variables", "*.yaml")))
    paths += sorted(glob.glob(os.path.join(data_dir, "*", "variables", "*.yaml")))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        tables.update(doc.get("tables") or {})
        variables.update(doc.get("variables") or {})
    return tables, variables


def parse_key(key):
    parts = key.split("|")
    return parts[0], [tuple(p.split("=", 1)) for p in parts[1:]]


class Table:
    """One CSV file as rows of fields, with the cell of (key, year)."""

    def __init__(self, path, layout):
        self.path, self.layout = path, layout
        with open(path, encoding="utf-8", newline="") as f:
            self.rows = list(csv.reader(f))
        self.head = self.rows[0]

    def find(self, key, year):
        var, dims = parse_key(key)
        col = self.head.index("value") if self.layout == "long" else self.head.index(var)
        for row in self.rows[1:]:
            if row[self.head.index("year")] != str(year):
                continue
            if any(row[self.head.index(d)] != v for d, v in dims):
                continue
            if self.layout == "long" and row[self.head.index("variable")] != var:
                continue
            return row, col
        return None, col

    def get(self, key, year):
        row, col = self.find(key, year)
        return row[col] if row is not None and col < len(row) else ""

    def blank(self, key, year):
        row, col = self.find(key, year)
        row[col] = ""

    def save(self):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(self.rows)
        with open(self.path, "w", encoding="utf-8", newline="") as f:
            f.write(out.getvalue())


def number(text):
    """The CSV text as the number a filler types into Excel."""
    v = float(text)
    return int(v) if v == int(v) and "." not in text else v
