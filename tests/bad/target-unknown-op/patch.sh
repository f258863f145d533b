# Plan: B1 target op "=<" (line 23 column 26, the quoted scalar).
replace indicators/bx-2021-2025.yaml "op: \"<=\", value: 1}" "op: \"=<\", value: 1}"
