# Plan: B2 judged year on year (持续下降) with an exclude_when, which a trend
# cannot honour (line 31 column 68): refused instead of silently ignored.
replace indicators/bx-2021-2025.yaml "      - {year: 2025, op: decrease, by: 10, baseline: {reading: year, year: 2020}}" "      - {year: 2025, op: 持续下降, exclude_when: major_disaster_year == 1}"
