# Plan: a parameter's value nested 70 lists deep (line 12). Nesting is
# bounded at 64 levels (the plan's mapping, params, then 62 lists) before
# libyaml builds anything: a flow list a million levels deep took minutes.
deep=$(printf '%070d' 0 | tr 0 '[')$(printf '%070d' 0 | tr 0 ']')
replace indicators/bx-2021-2025.yaml "  limit_hours: {value: 10, unit: 小时}" "  limit_hours: {value: 10, unit: 小时}
  deep: $deep"
