# Plan: B6's doubt without its reading; the doubt mapping starts at its first key (line 60 column 7).
replace indicators/bx-2021-2025.yaml "      reading: 从启动响应起算
" ""
