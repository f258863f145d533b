# Plan: B6's doubt has a key misspelt raeding (line 61 column 7).
replace indicators/bx-2021-2025.yaml "      reading: 从启动响应起算" "      raeding: 从启动响应起算"
