# Plan: B1 key misspelt departmnet (line 21 column 5).
replace indicators/bx-2021-2025.yaml "    department: 县应急管理局" "    departmnet: 县应急管理局"
