# Template changes.yaml: the 变化 sheet named like a sheet of workbook.yaml.
write templates/workbook.yaml <<'YAML'
sheet:
  overview: 总览
YAML
write templates/changes.yaml <<'YAML'
sheet: 总览
YAML
