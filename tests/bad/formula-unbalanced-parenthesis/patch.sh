# Plan: B4 formula lacks its closing parenthesis (line 39).
replace indicators/bx-2021-2025.yaml "milestone=\"基本生活救助\"})
    unit: 小时" "milestone=\"基本生活救助\"}
    unit: 小时"
