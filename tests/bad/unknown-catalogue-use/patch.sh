# Plan: B3 uses drill_complience, not in the catalogue (line 33 column 10).
replace indicators/bx-2021-2025.yaml "use: drill_compliance" "use: drill_complience"
