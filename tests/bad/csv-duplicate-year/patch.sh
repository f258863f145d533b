# economy.csv: 2023 appears twice (second at line 6 column 1).
replace data/bx/economy.csv "2024,70,100000,96" "2023,70,100000,96"
