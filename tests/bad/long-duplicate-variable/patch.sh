# registers.csv: shelter_area 2025 given twice (second at line 3 column 2).
printf "2025,shelter_area,190000,\n" >>data/bx/registers.csv
