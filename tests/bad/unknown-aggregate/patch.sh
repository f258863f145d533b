# Plan: B4 aggregate window_maxx (line 44 column 54).
replace indicators/bx-2021-2025.yaml "aggregate: window_max}" "aggregate: window_maxx}"
