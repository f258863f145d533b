# registers.csv (long layout): 180000 written 180,000 without quotes, the
# empty note kept: 5 fields against a header of 4. Line 2, column 3.
replace data/bx/registers.csv "2025,shelter_area,180000," "2025,shelter_area,180,000,"
