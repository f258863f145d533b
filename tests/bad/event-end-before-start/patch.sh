# events.csv: E2 ends (2024-08-10 05:00) before it starts (22:30) (line 3 column 5).
replace data/bx/events.csv "2024-08-11 05:00" "2024-08-10 05:00"
