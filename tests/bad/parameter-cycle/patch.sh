# Plan: parameters a: b * 2 and b: a + 1 refer to each other (a at line 12 column 14).
replace indicators/bx-2021-2025.yaml "  limit_hours: {value: 10, unit: 小时}
" "  limit_hours: {value: 10, unit: 小时}
  a: {value: b * 2}
  b: {value: a + 1}
"
