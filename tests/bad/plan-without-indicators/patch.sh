# Plan: "indicators: []" (line 17 column 13).
python3 - <<"PY"
p = "indicators/bx-2021-2025.yaml"
lines = open(p, encoding="utf-8").read().split("\n")
assert lines[16] == "indicators:", lines[16]
open(p, "w", encoding="utf-8").write("\n".join(lines[:16]) + "\nindicators: []\n")
PY
