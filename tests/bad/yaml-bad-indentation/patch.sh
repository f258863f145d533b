# Plan: the key under "- id: B1" is indented two spaces too far (line 19).
replace indicators/bx-2021-2025.yaml "    use: ps_deaths_per_gdp" "      use: ps_deaths_per_gdp"
