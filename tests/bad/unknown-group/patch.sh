# Plan: B3 group capa is not declared (line 34 column 12).
replace indicators/bx-2021-2025.yaml "    use: drill_compliance
    group: cap" "    use: drill_compliance
    group: capa"
