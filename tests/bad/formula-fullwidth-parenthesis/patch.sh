# Plan: B6 formula closes with a full-width parenthesis U+FF09 (line 55 column 69).
replace indicators/bx-2021-2025.yaml "<= limit_hours)" "<= limit_hours）"
