# Plan: B2 filters on sector="道路", not a declared value (line 26; the value is at column 31).
replace indicators/bx-2021-2025.yaml "sector=\"道路交通\"}" "sector=\"道路\"}"
