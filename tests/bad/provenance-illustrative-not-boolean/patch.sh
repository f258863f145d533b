# provenance.yaml: illustrative written as 是 instead of true (line 1 column 15).
replace data/bx/provenance.yaml "illustrative: true" "illustrative: 是"
