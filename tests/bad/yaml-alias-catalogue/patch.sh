# Catalogue: drill_norm refers to population's value through an alias (*pop,
# line 5 column 15).
replace indicators/catalogue.yaml "  population: {value: pop, unit: 人}
  drill_norm: {value: 1, unit: 次/年}" "  population: &pop {value: pop, unit: 人}
  drill_norm: *pop"
