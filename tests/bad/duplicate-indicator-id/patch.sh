# Plan: the third indicator reuses id B1 (line 32 column 9).
replace indicators/bx-2021-2025.yaml "  - id: B3" "  - id: B1"
