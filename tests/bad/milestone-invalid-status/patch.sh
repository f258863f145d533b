# milestones.csv: status 完成 is not one of the statuses (line 2 column 4).
replace data/bx/milestones.csv ",已完成," ",完成,"
