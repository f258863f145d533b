# economy.csv: gdp written in words (line 5 column 2).
replace data/bx/economy.csv "2023,65," "2023,六十五,"
