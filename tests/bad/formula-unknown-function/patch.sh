# Plan: B4 formula calls maxrow() instead of max_row() (line 39 column 14).
replace indicators/bx-2021-2025.yaml "formula: max_row(" "formula: maxrow("
