# economy.csv: pop (a count) is 100000.5 (line 3 column 3).
replace data/bx/economy.csv "2021,55,100000,91" "2021,55,100000.5,91"
