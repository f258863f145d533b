# accidents.csv: line 5 has 6 fields, the header 5.
replace data/bx/accidents.csv "2023,较大,道路交通,1,3" "2023,较大,道路交通,1,3,9"
