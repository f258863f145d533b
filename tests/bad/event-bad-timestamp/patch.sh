# events.csv: start "2021-07-01 6点" is not a timestamp (line 2 column 4).
replace data/bx/events.csv "2021-07-01 06:00," "2021-07-01 6点,"
