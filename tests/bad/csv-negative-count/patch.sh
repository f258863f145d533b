# accidents.csv: ps_accidents -2 (line 4 column 4).
replace data/bx/accidents.csv "2022,一般,道路交通,2,2" "2022,一般,道路交通,-2,2"
