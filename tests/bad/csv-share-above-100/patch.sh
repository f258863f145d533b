# economy.csv: cover_share (a share) is 100.5 (line 7 column 4).
replace data/bx/economy.csv "2025,75,100000,98" "2025,75,100000,100.5"
