# Template workbook.yaml: a sheet name with '/' (Excel refuses it; before,
# check passed and run failed naming the workbook's temporary file).
write templates/workbook.yaml <<'YAML'
# wording of the workbook (a part)
sheet:
  overview: 总览
  indicators: 指标/年
YAML
