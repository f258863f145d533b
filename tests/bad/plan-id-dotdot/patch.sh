# Plan: id "../../escaped" would write outside out/ (line 2 column 7).
replace indicators/bx-2021-2025.yaml "  id: bx-2021-2025" "  id: ../../escaped"
