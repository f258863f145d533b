# Plan: B2 baseline reading yaer (line 31 column 64).
replace indicators/bx-2021-2025.yaml "reading: year," "reading: yaer,"
