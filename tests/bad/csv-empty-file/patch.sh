# accidents.csv is empty (0 bytes).
: >data/bx/accidents.csv
