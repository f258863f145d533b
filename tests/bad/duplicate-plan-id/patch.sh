# A plan copied for another county and not renamed: cx-2021-2025.yaml keeps
# plan id bx-2021-2025 (line 2 column 7). Files are taken in sorted order, so
# the error is on the second one, cx-...; nothing may be written.
cp indicators/bx-2021-2025.yaml indicators/cx-2021-2025.yaml
replace indicators/cx-2021-2025.yaml "  title: 坏输入基础规划" "  title: 复制的规划"
