# Plan: line 20 is indented with a tab instead of spaces.
replace indicators/bx-2021-2025.yaml "    group: ps
    department" "$(printf "\t")group: ps
    department"
