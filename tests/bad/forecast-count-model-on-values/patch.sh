# Plan: B5 (floor area per person, not a count) asks for a Poisson forecast;
# a count model fitted to values would be dropped for another (issue 11).
# The new line 48 is "    forecast: {model: poisson}": the value at column 23.
replace indicators/bx-2021-2025.yaml "    ratio: {numerator: shelter_area, denominator: pop}
" "    ratio: {numerator: shelter_area, denominator: pop}
    forecast: {model: poisson}
"
