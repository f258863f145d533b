# Dictionary: a second file declares gdp again (line 3 column 3).
write data/variables/zz_extra.yaml <<"YAML"
# a second dictionary file
variables:
  gdp: {table: economy, label: 生产总值, unit: 亿元, kind: amount}
YAML
