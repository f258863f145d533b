# economy.csv: header names popp (line 1 column 3).
replace data/bx/economy.csv "year,gdp,pop,cover_share" "year,gdp,popp,cover_share"
