# Plan: limit_days repeats limit_hours through a YAML alias (*h, line 12
# column 15). Aliases are refused outright: 1 KB of them, each level naming
# the one before ten times, would cost minutes to walk.
replace indicators/bx-2021-2025.yaml "  limit_hours: {value: 10, unit: 小时}" "  limit_hours: &h {value: 10, unit: 小时}
  limit_days: *h"
