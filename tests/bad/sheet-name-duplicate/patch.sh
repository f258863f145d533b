# Template workbook.yaml: two sheets named alike but for case (Excel
# ignores case in sheet names).
write templates/workbook.yaml <<'YAML'
sheet:
  overview: Summary
  indicators: 指标
  notes: SUMMARY
YAML
