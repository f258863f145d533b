# Plan: B3's target has no year (line 36 column 9): taken as 2025, with a warning.
replace indicators/bx-2021-2025.yaml '{year: 2025, op: ">=", value: 80}' '{op: ">=", value: 80}'
