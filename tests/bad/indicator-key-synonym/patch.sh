# Plan: B1's department written as dept, the usual short form (line 21 column 5).
replace indicators/bx-2021-2025.yaml "    department: 县应急管理局" "    dept: 县应急管理局"
