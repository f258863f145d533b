# Plan: B1's target over every member of 'sectr', a dimension no table its
# formula reads has (line 23; the value at column 48).
replace indicators/bx-2021-2025.yaml '{year: 2025, op: "<=", value: 1}' '{year: 2025, op: "<=", value: 1, each: sectr}'
