# Plan: B1 says veto: maybe (line 19 column 11); only true or false is meant.
replace indicators/bx-2021-2025.yaml "  - id: B1" "$(printf '  - id: B1\n    veto: maybe')"
