# Plan: the period list is never closed (line 6).
replace indicators/bx-2021-2025.yaml "  period: [2021, 2025]" "  period: [2021, 2025"
