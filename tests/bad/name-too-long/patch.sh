# Plan: an indicator name of 213 characters (at most 200: names head the
# reports' tables, headings and charts; one of 200,000 characters made a
# run lay out for over 10 minutes).
replace indicators/bx-2021-2025.yaml "    name: 道路交通事故死亡人数
" "    name: 道路交通事故死亡人数很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称很长的指标名称
"
