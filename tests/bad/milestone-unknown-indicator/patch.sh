# milestones.csv names M9, which the plan does not have (line 2 column 2).
replace data/bx/milestones.csv "bx-2021-2025,M1," "bx-2021-2025,M9,"
