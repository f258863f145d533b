# Plan: B2 formula names ps_death (the variable is ps_deaths), line 26 column 14.
replace indicators/bx-2021-2025.yaml "formula: ps_deaths{" "formula: ps_death{"
