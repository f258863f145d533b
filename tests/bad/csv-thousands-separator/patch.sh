# registers.csv (long layout): 180000 written 180,000 without quotes and the
# empty note left out, so the row still has 4 fields: value 180, note 000.
# The error is at line 2, column 3 (the value).
replace data/bx/registers.csv "2025,shelter_area,180000," "2025,shelter_area,180,000"
