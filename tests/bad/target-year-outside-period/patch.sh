# Plan: B5 target year 2026 is after the plan period (line 52 column 16).
replace indicators/bx-2021-2025.yaml "{year: 2025, op: \">=\", value: 1.5}" "{year: 2026, op: \">=\", value: 1.5}"
