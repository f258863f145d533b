# registers.csv: variable shelter_areas is not declared (line 2 column 2).
replace data/bx/registers.csv "2025,shelter_area," "2025,shelter_areas,"
