# Plan: B2 filters on dimension sectr (line 26; the name is at column 24).
replace indicators/bx-2021-2025.yaml "ps_deaths{sector=" "ps_deaths{sectr="
