# Template labels.yaml: not_met repeats met through an alias (*m, line 5
# column 12).
replace templates/labels.yaml "  met: 达标
  not_met: 未达标" "  met: &m 达标
  not_met: *m"
