# Plan: plan.id is missing; the plan mapping then starts at line 2 (title).
replace indicators/bx-2021-2025.yaml "  id: bx-2021-2025
" ""
