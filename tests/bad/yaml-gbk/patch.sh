# Plan file saved as GB18030 (GBK): refused at its first byte that begins
# no UTF-8 character (before: at 1:1, whatever the byte's place).
recode indicators/bx-2021-2025.yaml gb18030
