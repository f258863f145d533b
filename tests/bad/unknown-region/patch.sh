# Plan: region bz has no data directory (the region value is at line 4 column 11).
replace indicators/bx-2021-2025.yaml "  region: bx" "  region: bz"
