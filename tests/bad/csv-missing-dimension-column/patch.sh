# accidents.csv: the dimension column sector is left out (header, line 1).
python3 - <<"PY"
p = "data/bx/accidents.csv"
rows = [l.split(",") for l in open(p, encoding="utf-8").read().splitlines()]
assert rows[0][2] == "sector"
open(p, "w", encoding="utf-8").write("".join(",".join(r[:2] + r[3:]) + "\n" for r in rows))
PY
