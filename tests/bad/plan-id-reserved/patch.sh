# out/comparison/ holds the comparison across plans: no plan may write there.
replace indicators/bx-2021-2025.yaml "id: bx-2021-2025" "id: comparison"
