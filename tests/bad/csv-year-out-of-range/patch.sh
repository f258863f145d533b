# economy.csv: year 1948 is before 1949 (line 2 column 1).
replace data/bx/economy.csv "2020,50," "1948,50,"
