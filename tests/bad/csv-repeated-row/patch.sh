# accidents.csv (rows layout, summed): the row of line 3 pasted again after
# it (line 4). Accepted (two records may be alike) with a warning naming
# both lines; before, the two were summed silently (2 deaths became 4).
replace data/bx/accidents.csv "2021,一般,工矿商贸,2,2
" "2021,一般,工矿商贸,2,2
2021,一般,工矿商贸,2,2
"
