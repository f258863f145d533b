# Plan: B3 target value is the text "abc" (line 36 column 39).
replace indicators/bx-2021-2025.yaml "value: 80}" "value: \"abc\"}"
