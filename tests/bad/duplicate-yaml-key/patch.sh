# Plan: B2 gives unit twice (second at line 28 column 5).
replace indicators/bx-2021-2025.yaml "    unit: 人
" "    unit: 人
    unit: 起
"
