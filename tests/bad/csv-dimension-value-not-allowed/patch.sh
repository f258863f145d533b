# accidents.csv: grade 特大 is not a declared value (line 3 column 2).
replace data/bx/accidents.csv "2021,一般,工矿商贸" "2021,特大,工矿商贸"
