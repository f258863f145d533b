# Dictionary: gdp belongs to table econmy, which is not declared (line 32 column 16).
replace data/variables/core.yaml "gdp: {table: economy," "gdp: {table: econmy,"
