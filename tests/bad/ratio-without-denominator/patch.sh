# Plan: B5 ratio has no denominator (the ratio mapping is at line 47 column 12).
replace indicators/bx-2021-2025.yaml "{numerator: shelter_area, denominator: pop}" "{numerator: shelter_area}"
