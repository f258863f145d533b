# Template comparison.yaml: a sheet name of 32 characters (Excel allows 31).
write templates/comparison.yaml <<'YAML'
sheet:
  overview: 总览
  ranking: 各地区应急管理规划主要指标完成情况与目标差距排名一览表全部表格之
YAML
